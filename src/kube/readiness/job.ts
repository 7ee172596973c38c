import type { LiveObject } from '../types.ts';
import { type Condition, failed, findCondition, type Readiness, ready, waiting } from './types.ts';

interface JobShape {
  spec?: { completions?: number; backoffLimit?: number; activeDeadlineSeconds?: number; suspend?: boolean };
  status?: {
    active?: number;
    succeeded?: number;
    failed?: number;
    startTime?: string;
    conditions?: Condition[];
  };
}

/** The Kubernetes default of spec.backoffLimit. */
const defaultBackoffLimit = 6;

function failureDetail(job: JobShape, condition: Condition): string {
  const backoffLimit = job.spec?.backoffLimit ?? defaultBackoffLimit;
  switch (condition.reason) {
    case 'BackoffLimitExceeded':
      return ` (${backoffLimit} ${backoffLimit === 1 ? 'retry' : 'retries'})`;
    case 'DeadlineExceeded':
      return job.spec?.activeDeadlineSeconds === undefined
        ? ''
        : ` (activeDeadlineSeconds ${job.spec.activeDeadlineSeconds})`;
    default:
      return condition.message ? ` (${condition.message})` : '';
  }
}

/** A Job is done when it completed (ok) or failed (not ok: the reason and the retry budget). */
export function jobReadiness(live: LiveObject): Readiness {
  const job = live as JobShape;
  const status = job.status ?? {};
  const completions = job.spec?.completions ?? 1;
  const succeeded = status.succeeded ?? 0;
  const complete = findCondition(status.conditions, 'Complete');
  if (complete?.status === 'True') return ready(`completed (${succeeded}/${completions} succeeded)`);
  // FailureTarget comes first (1.31+), Failed once the pods are gone; either is final.
  const failure = [
    findCondition(status.conditions, 'Failed'),
    findCondition(status.conditions, 'FailureTarget'),
  ].find((c) => c?.status === 'True');
  if (failure) return failed(`Job failed: ${failure.reason ?? 'Failed'}${failureDetail(job, failure)}`);
  if (job.spec?.suspend) return waiting('suspended: no pod runs until the Job is resumed');
  const active = status.active ?? 0;
  const failedPods = status.failed ?? 0;
  if (!status.startTime && active === 0 && succeeded === 0) return waiting('waiting for the Job to start');
  const failures =
    failedPods > 0
      ? `, ${failedPods} failed (backoff limit ${job.spec?.backoffLimit ?? defaultBackoffLimit})`
      : '';
  return waiting(`running: ${succeeded}/${completions} succeeded, ${active} active${failures}`);
}
