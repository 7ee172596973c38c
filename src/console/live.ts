/**
 * Live readiness of a release's components, from server-side watches of their workloads: each
 * change of a workload recomputes its component's state and, for a component that is not ready,
 * its pod problems and Warning events. The caller pushes the updates to the browser.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { ConsoleBackend } from '../actions/console.ts';
import type { Diagnosis } from '../kube/diagnose.ts';
import { readinessOf } from '../kube/readiness/index.ts';
import type { LiveObject, ObjectRef } from '../kube/types.ts';
import type { ComponentState, ComponentUpdate, Topology } from './types.ts';

interface WorkloadState {
  readonly ready: boolean;
  readonly missing: boolean;
  readonly message: string;
  readonly live: LiveObject | undefined;
}

const DIAGNOSIS_REFRESH_MS = 5_000;

export function componentState(workloads: readonly WorkloadState[]): ComponentState {
  if (workloads.some((w) => w.missing)) return 'missing';
  return workloads.every((w) => w.ready) ? 'ready' : 'progressing';
}

function diagnosisLines(diagnosis: Diagnosis): { problems: string[]; events: string[] } {
  return {
    problems: diagnosis.podProblems.map((p) =>
      `${p.pod}${p.container ? `/${p.container}` : ''}: ${p.reason} ${p.message}`.trim(),
    ),
    events: diagnosis.events.map(
      (e) => `${e.object}: ${e.reason} ${e.message}${e.count > 1 ? ` (x${e.count})` : ''}`,
    ),
  };
}

/** Follows every workload of `topology` until `signal` aborts; `emit` gets each component's state. */
export function followComponents(
  backend: ConsoleBackend,
  namespace: string,
  topology: Topology,
  signal: AbortSignal,
  emit: (update: ComponentUpdate) => void,
): void {
  for (const component of topology.components) {
    const states = new Map<string, WorkloadState>();
    let generation = 0;
    const publish = async () => {
      if (states.size < component.workloads.length || signal.aborted) return;
      const mine = ++generation;
      const workloads = [...states.values()];
      const state = componentState(workloads);
      const waiting = [...states.entries()]
        .filter(([, w]) => !w.ready)
        .map(([id, w]) => `${id}: ${w.message}`);
      emit({ component: component.name, state, waiting, problems: [], events: [] });
      // Readiness comes from the watches; the pods' problems and events of a component that is
      // not ready are looked up again every few seconds until it is (or the workload changes).
      while (state !== 'ready' && mine === generation && !signal.aborted) {
        const found = { problems: [] as string[], events: [] as string[] };
        for (const [id, w] of [...states.entries()].filter(([, w]) => !w.ready)) {
          const [kind, name] = id.split('/') as [string, string];
          const lines = diagnosisLines(await backend.diagnose(refFor(kind, name, namespace, w.live), w.live));
          found.problems.push(...lines.problems);
          found.events.push(...lines.events);
        }
        if (mine !== generation || signal.aborted) return;
        emit({ component: component.name, state, waiting, ...found });
        await delay(DIAGNOSIS_REFRESH_MS, undefined, { signal }).catch(() => undefined);
      }
    };
    for (const id of component.workloads) {
      const [kind, name] = id.split('/') as [string, string];
      backend.watch(refFor(kind, name, namespace, undefined), signal, (live) => {
        const readiness = live ? readinessOf(live) : undefined;
        states.set(id, {
          ready: readiness ? readiness.done && readiness.ok : false,
          missing: !live,
          message: readiness?.message ?? 'missing from the cluster',
          live,
        });
        void publish();
      });
    }
  }
}

const API_VERSIONS: Readonly<Record<string, string>> = {
  Deployment: 'apps/v1',
  StatefulSet: 'apps/v1',
  DaemonSet: 'apps/v1',
  Job: 'batch/v1',
};

function refFor(kind: string, name: string, namespace: string, live: LiveObject | undefined): ObjectRef {
  return { apiVersion: live?.apiVersion ?? API_VERSIONS[kind]!, kind, name, namespace };
}
