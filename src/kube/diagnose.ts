/**
 * What went wrong with an object that did not become ready: its failing pods and the most recent
 * Warning events about it (and, for a Deployment, its ReplicaSets; for a workload, its pods).
 */
import type { KubeClient } from './client.ts';
import { type PodProblem, summarisePodProblems } from './readiness/index.ts';
import type { LiveObject, ObjectRef } from './types.ts';

export interface EventSummary {
  /** `Kind/name` of the object the event is about. */
  readonly object: string;
  readonly reason: string;
  readonly message: string;
  readonly count: number;
  /** ISO time of the last occurrence, when known. */
  readonly lastSeen: string | undefined;
}

export interface Diagnosis {
  readonly podProblems: readonly PodProblem[];
  readonly events: readonly EventSummary[];
  /** Diagnosis steps that failed (e.g. no permission to list events), for completeness. */
  readonly notes: readonly string[];
}

interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

interface EventShape {
  involvedObject?: { kind?: string; name?: string };
  reason?: string;
  message?: string;
  count?: number;
  lastTimestamp?: string;
  eventTime?: string;
  series?: { count?: number; lastObservedTime?: string };
  metadata: { creationTimestamp?: string };
}

/** A LabelSelector as the `labelSelector` query string (`a=b,c in (d,e),!f`). */
export function selectorString(selector: LabelSelector): string {
  const parts = Object.entries(selector.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const { key, operator, values = [] } of selector.matchExpressions ?? []) {
    if (operator === 'In') parts.push(`${key} in (${values.join(',')})`);
    else if (operator === 'NotIn') parts.push(`${key} notin (${values.join(',')})`);
    else if (operator === 'Exists') parts.push(key);
    else if (operator === 'DoesNotExist') parts.push(`!${key}`);
  }
  return parts.join(',');
}

const eventsPerObject = 3;

function lastSeen(event: EventShape): string | undefined {
  return (
    event.series?.lastObservedTime ??
    event.lastTimestamp ??
    event.eventTime ??
    event.metadata.creationTimestamp
  );
}

async function podsOf(
  client: KubeClient,
  ref: ObjectRef,
  live: LiveObject | undefined,
): Promise<LiveObject[]> {
  if (!live) return [];
  if (ref.kind === 'Pod') return [live];
  const selector = (live.spec as { selector?: LabelSelector } | undefined)?.selector;
  if (!selector || (!selector.matchLabels && !selector.matchExpressions)) return [];
  const labelSelector = selectorString(selector);
  if (!labelSelector) return [];
  return client.list({ apiVersion: 'v1', kind: 'Pod', namespace: ref.namespace, labelSelector });
}

function about(ref: ObjectRef, problemPods: ReadonlySet<string>, event: EventShape): boolean {
  const kind = event.involvedObject?.kind;
  const name = event.involvedObject?.name ?? '';
  if (kind === ref.kind && name === ref.name) return true;
  if (ref.kind === 'Deployment' && kind === 'ReplicaSet' && name.startsWith(`${ref.name}-`)) return true;
  return kind === 'Pod' && problemPods.has(name);
}

function summarise(event: EventShape): EventSummary {
  return {
    object: `${event.involvedObject?.kind ?? '?'}/${event.involvedObject?.name ?? '?'}`,
    reason: event.reason ?? 'Unknown',
    message: (event.message ?? '').trim(),
    count: event.series?.count ?? event.count ?? 1,
    lastSeen: lastSeen(event),
  };
}

function describeFailure(step: string, err: unknown): string {
  return `could not ${step}: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`;
}

/** Looks for the reasons `ref` is not ready. Never throws: failures become notes. */
export async function diagnose(
  client: KubeClient,
  ref: ObjectRef,
  live: LiveObject | undefined,
): Promise<Diagnosis> {
  const notes: string[] = [];
  let podProblems: PodProblem[] = [];
  try {
    podProblems = summarisePodProblems(await podsOf(client, ref, live));
  } catch (err) {
    notes.push(describeFailure('list pods', err));
  }
  let events: EventSummary[] = [];
  try {
    const warnings = await client.list({
      apiVersion: 'v1',
      kind: 'Event',
      namespace: ref.namespace,
      fieldSelector: 'type=Warning',
    });
    const problemPods = new Set(podProblems.map((p) => p.pod));
    events = (warnings as unknown as EventShape[])
      .filter((event) => about(ref, problemPods, event))
      .sort((a, b) => (lastSeen(b) ?? '').localeCompare(lastSeen(a) ?? ''))
      .slice(0, eventsPerObject)
      .map(summarise);
  } catch (err) {
    notes.push(describeFailure('list events', err));
  }
  return { podProblems, events, notes };
}
