/**
 * What went wrong with an object that did not become ready: its failing pods and the most recent
 * Warning events about it and about what its controller created (ReplicaSets, pods, claims).
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

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Names the controllers give to what they create for a workload, so events about deleted pods
 * (a failed Job's, say) still count. Kinds not listed here own nothing we look at.
 */
function ownedNamePatterns(ref: ObjectRef): Partial<Record<string, RegExp>> {
  const name = escapeRegExp(ref.name);
  switch (ref.kind) {
    case 'Deployment':
      return {
        ReplicaSet: new RegExp(`^${name}-[a-z0-9]{5,10}$`),
        Pod: new RegExp(`^${name}-[a-z0-9]{5,10}-[a-z0-9]{5}$`),
      };
    case 'StatefulSet':
      return { Pod: new RegExp(`^${name}-\\d+$`), PersistentVolumeClaim: new RegExp(`-${name}-\\d+$`) };
    case 'DaemonSet':
    case 'Job':
      return { Pod: new RegExp(`^${name}-[a-z0-9]{5}$`) };
    default:
      return {};
  }
}

function about(ref: ObjectRef, problemPods: ReadonlySet<string>, event: EventShape): boolean {
  const kind = event.involvedObject?.kind ?? '';
  const name = event.involvedObject?.name ?? '';
  if (kind === ref.kind && name === ref.name) return true;
  if (kind === 'Pod' && problemPods.has(name)) return true;
  return ownedNamePatterns(ref)[kind]?.test(name) ?? false;
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

/**
 * The most recent events (newest first, at most three) about `ref`, its failing pods, or what its
 * controller created.
 */
export function relevantEvents(
  ref: ObjectRef,
  podProblems: readonly PodProblem[],
  events: readonly LiveObject[],
): EventSummary[] {
  const problemPods = new Set(podProblems.map((p) => p.pod));
  return (events as unknown as EventShape[])
    .filter((event) => about(ref, problemPods, event))
    .sort((a, b) => (lastSeen(b) ?? '').localeCompare(lastSeen(a) ?? ''))
    .slice(0, eventsPerObject)
    .map(summarise);
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
    events = relevantEvents(ref, podProblems, warnings);
  } catch (err) {
    notes.push(describeFailure('list events', err));
  }
  return { podProblems, events, notes };
}
