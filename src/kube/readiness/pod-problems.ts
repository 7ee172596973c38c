/**
 * Why pods are not running: the waiting reasons, failed containers and scheduling failures a
 * person looks for in `kubectl describe pod`, in one line per problem.
 */
import type { LiveObject } from '../types.ts';
import { type Condition, findCondition } from './types.ts';

export interface PodProblem {
  readonly pod: string;
  readonly container?: string;
  /** The Kubernetes reason: ImagePullBackOff, CrashLoopBackOff, OOMKilled, Unschedulable, … */
  readonly reason: string;
  readonly message: string;
}

interface ContainerState {
  waiting?: { reason?: string; message?: string };
  running?: { startedAt?: string };
  terminated?: { exitCode?: number; reason?: string; message?: string; signal?: number };
}

interface ContainerStatus {
  name: string;
  ready?: boolean;
  restartCount?: number;
  state?: ContainerState;
  lastState?: ContainerState;
}

export interface PodShape {
  status?: {
    phase?: string;
    reason?: string;
    message?: string;
    conditions?: Condition[];
    containerStatuses?: ContainerStatus[];
    initContainerStatuses?: ContainerStatus[];
  };
}

/** Waiting reasons that are normal on the way up. Any other waiting reason is a problem. */
const startingReasons = new Set(['ContainerCreating', 'PodInitializing']);

function terminatedText(terminated: NonNullable<ContainerState['terminated']>): string {
  const exit = terminated.signal ? `signal ${terminated.signal}` : `exit code ${terminated.exitCode ?? '?'}`;
  return terminated.message ? `${exit}: ${terminated.message}` : exit;
}

function containerProblem(pod: string, status: ContainerStatus, isInit: boolean): PodProblem | undefined {
  const { state = {}, lastState = {} } = status;
  const restarts = status.restartCount ?? 0;
  const restartText = restarts > 0 ? `, ${restarts} ${restarts === 1 ? 'restart' : 'restarts'}` : '';
  if (state.waiting?.reason && !startingReasons.has(state.waiting.reason)) {
    const last = lastState.terminated
      ? `last run ended ${lastState.terminated.reason ?? 'Error'} (${terminatedText(lastState.terminated)})${restartText}`
      : '';
    return {
      pod,
      container: status.name,
      reason: state.waiting.reason,
      message: [state.waiting.message, last].filter(Boolean).join('; '),
    };
  }
  if (state.terminated && (state.terminated.exitCode ?? 0) !== 0) {
    return {
      pod,
      container: status.name,
      reason: state.terminated.reason ?? 'Error',
      message: `${isInit ? 'init container ' : ''}${terminatedText(state.terminated)}${restartText}`,
    };
  }
  if (lastState.terminated?.reason === 'OOMKilled' && !status.ready) {
    return { pod, container: status.name, reason: 'OOMKilled', message: `out of memory${restartText}` };
  }
  return undefined;
}

/** The problems of one pod (none for a healthy or merely starting pod). */
export function podProblems(pod: LiveObject): PodProblem[] {
  const name = pod.metadata.name;
  const status = (pod as PodShape).status ?? {};
  const problems: PodProblem[] = [];
  const scheduled = findCondition(status.conditions, 'PodScheduled');
  if (scheduled?.status === 'False') {
    problems.push({
      pod: name,
      reason: scheduled.reason ?? 'Unschedulable',
      message: scheduled.message ?? '',
    });
  }
  for (const container of status.initContainerStatuses ?? []) {
    const problem = containerProblem(name, container, true);
    if (problem) problems.push(problem);
  }
  for (const container of status.containerStatuses ?? []) {
    const problem = containerProblem(name, container, false);
    if (problem) problems.push(problem);
  }
  if (status.phase === 'Failed' && problems.length === 0) {
    problems.push({ pod: name, reason: status.reason ?? 'Failed', message: status.message ?? 'pod failed' });
  }
  return problems;
}

/**
 * The failing pods of a workload and why, one entry per problem:
 * `pod web-7f9c ImagePullBackOff: Back-off pulling image "web:1.2"`.
 */
export function summarisePodProblems(pods: readonly LiveObject[]): PodProblem[] {
  return pods.flatMap(podProblems);
}

/** One problem as a line: `pod web-7f9c (container web) ImagePullBackOff: …`. */
export function formatPodProblem(problem: PodProblem): string {
  const container = problem.container ? ` (container ${problem.container})` : '';
  return `pod ${problem.pod}${container} ${problem.reason}${problem.message ? `: ${problem.message}` : ''}`;
}
