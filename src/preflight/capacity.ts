/** Does the cluster have room for the release's requests? Pure math over nodes and pods. */
import type { LiveObject } from '../kube/types.ts';
import type { Outcome, ResourceTotals } from './model.ts';
import { asArray, asObject, podRequests } from './pods.ts';
import { formatCpu, formatMemory, parseQuantity } from './quantity.ts';

/** Above this share of the free capacity, preflight warns. */
export const CAPACITY_WARN_RATIO = 0.8;

export interface NodeCapacity {
  readonly name: string;
  /** Allocatable minus the requests of pods already on the node, in cores and bytes. */
  readonly freeCpu: number;
  readonly freeMemory: number;
  readonly allocatableCpu: number;
  readonly allocatableMemory: number;
}

/** Nodes the scheduler may use: not cordoned, no NoSchedule/NoExecute taint. */
export function isSchedulable(node: LiveObject): boolean {
  const spec = asObject(node.spec) ?? {};
  if (spec.unschedulable === true) return false;
  return !asArray(spec.taints).some((t) => t.effect === 'NoSchedule' || t.effect === 'NoExecute');
}

export interface ExistingPodsFilter {
  /** Pods of the release being installed or upgraded are replaced, not added to. */
  readonly namespace: string;
  readonly release: string;
}

/**
 * Free capacity per schedulable node. `pods` (all namespaces) undefined means they could not be
 * listed: the free capacity is then the allocatable capacity.
 */
export function nodeCapacities(
  nodes: readonly LiveObject[],
  pods: readonly LiveObject[] | undefined,
  skip: ExistingPodsFilter,
): NodeCapacity[] {
  const used = new Map<string, { cpu: number; memory: number }>();
  for (const pod of pods ?? []) {
    const spec = asObject(pod.spec) ?? {};
    const phase = asObject(pod.status)?.phase;
    if (typeof spec.nodeName !== 'string' || phase === 'Succeeded' || phase === 'Failed') continue;
    if (
      pod.metadata.namespace === skip.namespace &&
      pod.metadata.labels?.['app.kubernetes.io/instance'] === skip.release
    )
      continue;
    const amount = podRequests(spec);
    const entry = used.get(spec.nodeName) ?? { cpu: 0, memory: 0 };
    used.set(spec.nodeName, { cpu: entry.cpu + amount.cpu, memory: entry.memory + amount.memory });
  }
  return nodes.filter(isSchedulable).map((node) => {
    const allocatable = asObject(asObject(node.status)?.allocatable) ?? {};
    const allocatableCpu = parseQuantity(allocatable.cpu as string | undefined) ?? 0;
    const allocatableMemory = parseQuantity(allocatable.memory as string | undefined) ?? 0;
    const taken = used.get(node.metadata.name) ?? { cpu: 0, memory: 0 };
    return {
      name: node.metadata.name,
      allocatableCpu,
      allocatableMemory,
      freeCpu: Math.max(0, allocatableCpu - taken.cpu),
      freeMemory: Math.max(0, allocatableMemory - taken.memory),
    };
  });
}

export interface CapacityVerdict {
  readonly outcome: Outcome;
  readonly message: string;
  readonly details: readonly string[];
}

function percent(need: number, free: number): string {
  return free > 0 ? `${Math.round((need / free) * 100)}%` : '∞%';
}

/** Compares the total requests with the free capacity (sum over nodes) and the largest pod with the roomiest node. */
export function capacityVerdict(
  totals: ResourceTotals,
  nodes: readonly NodeCapacity[],
  usageKnown: boolean,
): CapacityVerdict {
  const freeCpu = nodes.reduce((n, node) => n + node.freeCpu, 0);
  const freeMemory = nodes.reduce((n, node) => n + node.freeMemory, 0);
  const of = usageKnown ? 'free' : 'allocatable';
  const summary = `requests ${formatCpu(totals.cpu)} CPU / ${formatMemory(totals.memory)} memory for ${totals.pods} pods; ${nodes.length} schedulable nodes have ${formatCpu(freeCpu)} CPU / ${formatMemory(freeMemory)} ${of}`;
  const details: string[] = [];
  let outcome: Outcome = 'pass';
  const raise = (to: Outcome) => {
    if (to === 'fail' || outcome === 'pass') outcome = to;
  };
  if (nodes.length === 0) {
    return { outcome: 'fail', message: 'no schedulable nodes (all cordoned or tainted NoSchedule)', details };
  }
  const compare = (what: string, need: number, free: number, format: (n: number) => string) => {
    if (need > free) {
      raise('fail');
      details.push(`${what}: needs ${format(need)}, only ${format(free)} ${of} (${percent(need, free)})`);
    } else if (need > free * CAPACITY_WARN_RATIO) {
      raise('warn');
      details.push(
        `${what}: needs ${format(need)} of ${format(free)} ${of} (${percent(need, free)}, above ${CAPACITY_WARN_RATIO * 100}%)`,
      );
    }
  };
  compare('CPU', totals.cpu, freeCpu, formatCpu);
  compare('memory', totals.memory, freeMemory, formatMemory);
  const roomiestCpu = Math.max(...nodes.map((n) => n.freeCpu));
  const roomiestMemory = Math.max(...nodes.map((n) => n.freeMemory));
  for (const workload of totals.workloads) {
    if (workload.cpu > roomiestCpu || workload.memory > roomiestMemory) {
      raise('fail');
      details.push(
        `${workload.workload}: one pod requests ${formatCpu(workload.cpu)} CPU / ${formatMemory(workload.memory)}, more than any node has ${of} (${formatCpu(roomiestCpu)} CPU / ${formatMemory(roomiestMemory)})`,
      );
    }
  }
  return { outcome, message: summary, details };
}
