/**
 * `berth doctor`: the health of a release rolled up per component, and a support bundle with what
 * a maintainer asks for first — records, live objects, events, pod statuses, recent logs, nodes,
 * versions — redacted before it touches disk. Every part that cannot be collected (no permission,
 * no kubelet) becomes a line in the report instead of a failure. Core only: it never prints.
 */

import { stringify } from 'yaml';
import { KubeApiError } from '../kube/errors.ts';
import type { PodLogReader } from '../kube/logs.ts';
import { formatPodProblem, podProblems } from '../kube/readiness/index.ts';
import type { LiveObject } from '../kube/types.ts';
import { refOf } from '../kube/types.ts';
import { releaseSecretValues } from '../plan/known-secrets.ts';
import type { ReleaseTarget } from '../release/engine.ts';
import { instanceSelector } from '../release/labels.ts';
import { type ReleaseStatusReport, releaseStatus } from '../release/queries.ts';
import type { ReleaseRecord } from '../release/record.ts';
import { ReleaseStore } from '../release/store.ts';
import { BERTH_VERSION } from '../version.ts';
import { type BundleFile, writeBundle } from './bundle.ts';
import { type RedactionCount, Redactor, redactionsMarkdown } from './redact.ts';

export interface DoctorOptions {
  /** Where to write the bundle; undefined: no bundle. */
  readonly bundlePath: string | undefined;
  /** Reads pod logs; undefined: logs are not collected. */
  readonly logs: PodLogReader | undefined;
  /** @default 200 */
  readonly logLines?: number;
  /** @default 262144 (256 KiB) */
  readonly logBytes?: number;
  /** @default new Date() */
  readonly now?: Date;
}

export interface DoctorResult {
  readonly release: string;
  readonly namespace: string;
  /** Undefined when the status itself could not be read (see notCollected). */
  readonly status: ReleaseStatusReport | undefined;
  readonly ready: boolean;
  readonly bundle: string | undefined;
  /** Files in the bundle. */
  readonly files: readonly string[];
  /** What could not be collected and why (already redacted). */
  readonly notCollected: readonly string[];
  readonly redactions: readonly RedactionCount[];
}

interface Collector {
  readonly files: BundleFile[];
  readonly problems: string[];
  readonly redactor: Redactor;
}

function reason(error: unknown): string {
  if (error instanceof KubeApiError && error.status === 403)
    return `forbidden: ${error.message.split('\n')[0]}`;
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!;
}

async function attempt<T>(c: Collector, what: string, run: () => Promise<T>): Promise<T | undefined> {
  try {
    return await run();
  } catch (error) {
    c.problems.push(c.redactor.text('REPORT.md', `${what}: ${reason(error)}`));
    return undefined;
  }
}

function addYaml(c: Collector, path: string, value: unknown): void {
  const redacted = c.redactor.object(path, value);
  c.files.push({ path, content: c.redactor.scrub(path, stringify(redacted, { lineWidth: 0 })) });
}

function addText(c: Collector, path: string, text: string): void {
  c.files.push({ path, content: c.redactor.text(path, text) });
}

function fileName(text: string): string {
  return text.replace(/[^A-Za-z0-9_.-]+/g, '_');
}

/** The health roll-up as text: one line per component, the objects that are not ready under it. */
export function statusText(status: ReleaseStatusReport): string {
  const lines = [
    `release ${status.release} in ${status.namespace}: revision ${status.revision} ${status.status} (${status.blueprint.name} ${status.blueprint.appVersion})`,
    `updated ${status.updated}: ${status.description}`,
    status.ready ? 'all components ready' : 'NOT all components ready',
  ];
  for (const component of status.components) {
    const waiting = component.objects.filter((o) => !o.ready);
    const detail = waiting.length ? '' : `: ${component.objects.length} objects ready`;
    lines.push(`${component.ready ? 'ok  ' : 'FAIL'} ${component.component} (${component.stage})${detail}`);
    for (const o of waiting) lines.push(`       NOT READY  ${o.object}: ${o.message}`);
  }
  return `${lines.join('\n')}\n`;
}

interface EventShape {
  type?: string;
  reason?: string;
  message?: string;
  count?: number;
  involvedObject?: { kind?: string; name?: string };
  lastTimestamp?: string;
  eventTime?: string;
  series?: { count?: number; lastObservedTime?: string };
  metadata: { creationTimestamp?: string };
}

function eventTime(e: EventShape): string {
  return e.series?.lastObservedTime ?? e.lastTimestamp ?? e.eventTime ?? e.metadata.creationTimestamp ?? '';
}

function eventsText(events: readonly LiveObject[]): string {
  const rows = (events as unknown as EventShape[])
    .slice()
    .sort((a, b) => eventTime(a).localeCompare(eventTime(b)))
    .map(
      (e) =>
        `${eventTime(e)}  ${e.type ?? '?'}  ${e.reason ?? '?'}  ${e.involvedObject?.kind ?? '?'}/${e.involvedObject?.name ?? '?'}  (x${e.series?.count ?? e.count ?? 1})  ${(e.message ?? '').trim()}`,
    );
  return `${['LAST SEEN  TYPE  REASON  OBJECT  (COUNT)  MESSAGE', ...rows].join('\n')}\n`;
}

interface PodShape {
  metadata: { name: string };
  spec?: { nodeName?: string; containers?: { name: string }[]; initContainers?: { name: string }[] };
  status?: {
    phase?: string;
    containerStatuses?: { name: string; ready?: boolean; restartCount?: number }[];
  };
}

function podsText(pods: readonly LiveObject[]): string {
  const lines = ['POD  PHASE  READY  RESTARTS  NODE  PROBLEMS'];
  for (const pod of pods as unknown as PodShape[]) {
    const statuses = pod.status?.containerStatuses ?? [];
    const ready = `${statuses.filter((s) => s.ready).length}/${pod.spec?.containers?.length ?? statuses.length}`;
    const restarts = statuses.reduce((sum, s) => sum + (s.restartCount ?? 0), 0);
    const problems =
      podProblems(pod as unknown as LiveObject)
        .map(formatPodProblem)
        .join('; ') || '-';
    lines.push(
      `${pod.metadata.name}  ${pod.status?.phase ?? '?'}  ${ready}  ${restarts}  ${pod.spec?.nodeName ?? '-'}  ${problems}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

interface NodeShape {
  metadata: { name: string; labels?: Record<string, string> };
  spec?: { taints?: unknown[]; unschedulable?: boolean };
  status?: {
    capacity?: Record<string, string>;
    allocatable?: Record<string, string>;
    conditions?: { type: string; status: string; reason?: string; message?: string }[];
    nodeInfo?: Record<string, string>;
  };
}

/** Capacity, allocatable, conditions and versions: what scheduling problems come down to. */
function nodeSummary(nodes: readonly LiveObject[]): unknown[] {
  return (nodes as unknown as NodeShape[]).map((node) => ({
    name: node.metadata.name,
    unschedulable: node.spec?.unschedulable ?? false,
    taints: node.spec?.taints ?? [],
    capacity: node.status?.capacity ?? {},
    allocatable: node.status?.allocatable ?? {},
    conditions: (node.status?.conditions ?? []).map(({ type, status, reason, message }) => ({
      type,
      status,
      reason,
      message,
    })),
    kubeletVersion: node.status?.nodeInfo?.kubeletVersion,
    os: node.status?.nodeInfo?.osImage,
    architecture: node.status?.nodeInfo?.architecture,
  }));
}

async function collectRecords(c: Collector, target: ReleaseTarget): Promise<ReleaseRecord | undefined> {
  const store = new ReleaseStore(target.client);
  const summaries = await store.summaries(target.namespace, target.release);
  let latest: ReleaseRecord | undefined;
  for (const summary of summaries) {
    const record = await store.load(target.namespace, target.release, summary.revision);
    if (!record) continue;
    latest ??= record;
    addYaml(c, `records/revision-${record.revision}.yaml`, record);
  }
  return latest;
}

async function collectLogs(
  c: Collector,
  pods: readonly LiveObject[],
  options: DoctorOptions,
  namespace: string,
) {
  const reader = options.logs;
  if (!reader) return;
  const failures = new Map<string, string[]>();
  for (const pod of pods as unknown as PodShape[]) {
    const containers = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
    for (const { name } of containers) {
      try {
        const log = await reader.read({
          namespace,
          pod: pod.metadata.name,
          container: name,
          tailLines: options.logLines ?? 200,
          limitBytes: options.logBytes ?? 256 * 1024,
        });
        addText(c, `logs/${fileName(pod.metadata.name)}/${fileName(name)}.log`, log);
      } catch (error) {
        // Group by the API server's words, without the pod name and the kubelet URL.
        const why = reason(error)
          .replace(/^.*?API server says: /, '')
          .replace(/Get "[^"]*": /, '')
          .replace(/pods "[^"]+" is/, 'pods/log is');
        const list = failures.get(why) ?? [];
        list.push(`${pod.metadata.name}/${name}`);
        failures.set(why, list);
      }
    }
  }
  for (const [why, containers] of failures)
    c.problems.push(
      c.redactor.text(
        'REPORT.md',
        `logs of ${containers.length} container(s) (${containers.join(', ')}): ${why}${/10250|kubelet/.test(why) ? ' (no kubelet answered; simulated nodes such as kwok have none)' : ''}`,
      ),
    );
}

function reportMarkdown(result: Omit<DoctorResult, 'redactions' | 'bundle'>, now: Date): string {
  const lines = [
    `# berth doctor: release ${result.release} in ${result.namespace}`,
    '',
    `Collected ${now.toISOString()} by berth ${BERTH_VERSION}.`,
    '',
    `Status: ${result.status ? (result.ready ? 'all components ready' : 'NOT all components ready') : 'unknown'}`,
    '',
    '## Files',
    '',
    ...result.files.map((f) => `- ${f}`),
    '',
    '## Not collected',
    '',
    ...(result.notCollected.length
      ? result.notCollected.map((p) => `- ${p}`)
      : ['Everything was collected.']),
    '',
    'See REDACTIONS.md for what was redacted.',
  ];
  return `${lines.join('\n')}\n`;
}

/** Collects the diagnosis of a release and (with `bundlePath`) writes the redacted bundle. */
export async function runDoctor(target: ReleaseTarget, options: DoctorOptions): Promise<DoctorResult> {
  const { client, namespace, release } = target;
  const now = options.now ?? new Date();
  const problems: string[] = [];
  const known = await releaseSecretValues(client, namespace, release).catch((error: unknown) => {
    problems.push(`secret values to scan for (only pattern-based redaction was possible): ${reason(error)}`);
    return [] as string[];
  });
  const c: Collector = { files: [], problems, redactor: new Redactor(known) };

  const status = await attempt(c, 'release status', () => releaseStatus(target));
  if (status) {
    addText(c, 'status.txt', statusText(status));
    addYaml(c, 'status.yaml', status);
  }
  const latest = await attempt(c, 'release records', () => collectRecords(c, target));
  for (const manifest of latest?.manifests ?? []) {
    const ref = refOf(manifest.object);
    const live = await attempt(c, `live ${ref.kind}/${ref.name}`, () => client.get(ref));
    if (live) addYaml(c, `objects/${fileName(`${ref.kind}-${ref.name}`)}.yaml`, live);
    else if (live === undefined && !c.problems.some((p) => p.startsWith(`live ${ref.kind}/${ref.name}`)))
      addText(c, `objects/${fileName(`${ref.kind}-${ref.name}`)}.missing`, 'not found in the cluster\n');
  }
  const events = await attempt(c, 'events', () =>
    client.list({ apiVersion: 'v1', kind: 'Event', namespace }),
  );
  if (events) {
    addText(c, 'events.txt', eventsText(events));
    addYaml(c, 'events.yaml', events);
  }
  const pods = await attempt(c, 'pods', () =>
    client.list({
      apiVersion: 'v1',
      kind: 'Pod',
      namespace,
      labelSelector: instanceSelector(release).split(',')[0],
    }),
  );
  if (pods) {
    addText(c, 'pods.txt', podsText(pods));
    for (const pod of pods) addYaml(c, `pods/${fileName(pod.metadata.name)}.yaml`, pod);
    await collectLogs(c, pods, options, namespace);
  }
  const nodes = await attempt(c, 'nodes', () => client.list({ apiVersion: 'v1', kind: 'Node' }));
  if (nodes) addYaml(c, 'nodes.yaml', nodeSummary(nodes));
  const server = await attempt(c, 'API server version', () => client.serverVersion());
  addYaml(c, 'version.yaml', {
    berth: BERTH_VERSION,
    node: process.version,
    platform: `${process.platform}/${process.arch}`,
    kubernetes: server?.gitVersion ?? 'unknown',
    context: client.context,
    collectedAt: now.toISOString(),
  });

  const partial = {
    release,
    namespace,
    status,
    ready: status?.ready ?? false,
    files: [...c.files.map((f) => f.path), 'REPORT.md', 'REDACTIONS.md'].sort(),
    notCollected: c.problems,
  };
  const report = c.redactor.scrub('REPORT.md', reportMarkdown(partial, now));
  const redactions = c.redactor.report();
  const files = [
    ...c.files,
    { path: 'REPORT.md', content: report },
    { path: 'REDACTIONS.md', content: redactionsMarkdown(redactions) },
  ].sort((a, b) => a.path.localeCompare(b.path));
  if (options.bundlePath) await writeBundle(options.bundlePath, bundleRoot(release, now), files, now);
  return { ...partial, bundle: options.bundlePath, redactions };
}

/** `berth-doctor-<release>-<UTC timestamp>`: the bundle's folder and default file name. */
export function bundleRoot(release: string, now: Date): string {
  return `berth-doctor-${release}-${now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')}`;
}
