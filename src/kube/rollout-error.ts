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

function formatEvent(event: EventSummary, ref: ObjectRef): string {
  const self = event.object === `${ref.kind}/${ref.name}` ? '' : ` ${event.object}`;
  const count = event.count > 1 ? ` (${event.count}×)` : '';
  return `warning${self} ${event.reason}${count}${event.message ? `: ${event.message}` : ''}`;
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
    const problems = object.podProblems.slice(0, podLinesPerObject).map(formatPodProblem);
    const more = object.podProblems.length - podLinesPerObject;
    if (more > 0) problems.push(`… and ${more} more pod ${more === 1 ? 'problem' : 'problems'}`);
    for (const line of [
      ...problems,
      ...object.events.map((e) => formatEvent(e, object.ref)),
      ...object.notes,
    ]) {
      lines.push(`    ${line}`);
    }
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
