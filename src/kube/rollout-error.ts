/**
 * The error of a rollout that failed or timed out: per object, its last readiness message, the
 * reasons of its failing pods and its recent Warning events, as a short report.
 */
import { BerthError, ExitCode } from '../errors.ts';
import type { EventSummary } from './diagnose.ts';
import { formatPodProblem, type PodProblem } from './readiness/index.ts';
import { describeRef, type ObjectRef } from './types.ts';

export interface UnreadyObject {
  readonly ref: ObjectRef;
  /** The last readiness message. */
  readonly message: string;
  /** Failed for good (a failed Job, a stuck Deployment), rather than not finished yet. */
  readonly failed: boolean;
  readonly podProblems: readonly PodProblem[];
  readonly events: readonly EventSummary[];
  readonly notes: readonly string[];
}

export type RolloutOutcome = 'failed' | 'timeout';

/** Lines of detail shown per object; the rest is counted. */
const podLinesPerObject = 3;

/** `45s`, `2m`, `2m30s`. */
export function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  const rest = seconds % 60;
  return rest === 0 ? `${minutes}m` : `${minutes}m${rest}s`;
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): T[][] {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    groups.set(k, [...(groups.get(k) ?? []), item]);
  }
  return [...groups.values()];
}

/** Pods failing for the same reason share a line: `pods a, b and 3 more ImagePullBackOff: …`. */
function podLines(problems: readonly PodProblem[]): string[] {
  const groups = groupBy(problems, (p) => `${p.container ?? ''}\0${p.reason}\0${p.message}`);
  const lines = groups.slice(0, podLinesPerObject).map((group) => {
    const [first] = group as [PodProblem, ...PodProblem[]];
    if (group.length === 1) return formatPodProblem(first);
    const names = group.slice(0, 2).map((p) => p.pod);
    const rest = group.length > 2 ? ` and ${group.length - 2} more` : '';
    const line = formatPodProblem({ ...first, pod: `${names.join(', ')}${rest}` });
    return line.replace(/^pod /, 'pods ');
  });
  const more = groups.length - podLinesPerObject;
  if (more > 0) lines.push(`… and ${more} more pod ${more === 1 ? 'problem' : 'problems'}`);
  return lines;
}

/** Events, minus those that only repeat a pod problem, the same warning on many objects counted once. */
function eventLines(
  events: readonly EventSummary[],
  problems: readonly PodProblem[],
  ref: ObjectRef,
): string[] {
  const known = new Set(problems.map((p) => p.message));
  const fresh = events.filter((e) => !known.has(e.message));
  return groupBy(fresh, (e) => `${e.reason}\0${e.message}`).map((group) => {
    const [first] = group as [EventSummary, ...EventSummary[]];
    const objects = [...new Set(group.map((e) => e.object))];
    const self = objects.length === 1 && objects[0] === `${ref.kind}/${ref.name}`;
    const about = self ? '' : objects.length === 1 ? ` ${objects[0]}` : ` (${objects.length} objects)`;
    const count = group.reduce((sum, e) => sum + e.count, 0);
    return `warning${about} ${first.reason}${count > 1 ? ` (${count}×)` : ''}${first.message ? `: ${first.message}` : ''}`;
  });
}

/** The report: a header line, then per object its message and indented details. */
export function formatRolloutReport(
  outcome: RolloutOutcome,
  elapsedMs: number,
  objects: readonly UnreadyObject[],
): string {
  const header =
    outcome === 'failed'
      ? `rollout failed after ${formatDuration(elapsedMs)}:`
      : `timed out after ${formatDuration(elapsedMs)} waiting for ${objects.length} ${objects.length === 1 ? 'object' : 'objects'}:`;
  const lines = [header];
  for (const object of objects) {
    lines.push(`  ${describeRef(object.ref)}: ${object.failed ? '' : 'not ready: '}${object.message}`);
    const details = [
      ...podLines(object.podProblems),
      ...eventLines(object.events, object.podProblems, object.ref),
      ...object.notes,
    ];
    for (const line of details) lines.push(`    ${line}`);
  }
  return lines.join('\n');
}

/** A rollout that failed (an object failed for good) or timed out. A runtime error (exit 3). */
export class RolloutError extends BerthError {
  readonly outcome: RolloutOutcome;
  readonly elapsedMs: number;
  /** Failed objects first, then the ones still not ready. */
  readonly objects: readonly UnreadyObject[];

  constructor(outcome: RolloutOutcome, elapsedMs: number, objects: readonly UnreadyObject[]) {
    const first = objects[0]?.ref;
    super(
      outcome === 'failed' ? 'BERTH_ROLLOUT_FAILED' : 'BERTH_ROLLOUT_TIMEOUT',
      formatRolloutReport(outcome, elapsedMs, objects),
      {
        exitCode: ExitCode.runtime,
        ...(first
          ? {
              hint: `more detail: kubectl describe ${first.kind.toLowerCase()}/${first.name}${first.namespace ? ` -n ${first.namespace}` : ''}`,
            }
          : {}),
      },
    );
    this.name = 'RolloutError';
    this.outcome = outcome;
    this.elapsedMs = elapsedMs;
    this.objects = objects;
  }
}
