/**
 * What the console's API sends, shared by the server (src/console) and the page (web/, type-only):
 * this module imports nothing that runs.
 */
import type { ReleaseRecord } from '../release/record.ts';
import type { Stage } from '../render/model.ts';

export interface TopologyComponent {
  readonly name: string;
  readonly stage: Stage;
  /** `Kind/name` of each workload whose readiness makes the component's. */
  readonly workloads: readonly string[];
  readonly services: readonly string[];
}

export interface Topology {
  readonly components: readonly TopologyComponent[];
  /** `from` calls `to` (through one of `to`'s Services), as the rendered configuration says. */
  readonly dependencies: readonly { readonly from: string; readonly to: string }[];
}

export interface RevisionView {
  readonly revision: number;
  readonly status: ReleaseRecord['status'];
  readonly blueprint: ReleaseRecord['blueprint'];
  readonly description: string;
  readonly values: Record<string, unknown>;
  readonly objects: readonly {
    readonly stage: Stage;
    readonly component?: string | undefined;
    readonly object: Record<string, unknown>;
  }[];
}

export interface ObjectDiff {
  readonly object: string;
  readonly action: 'create' | 'change' | 'prune' | 'unchanged';
  readonly diff: string;
}

export type ComponentState = 'ready' | 'progressing' | 'missing';

export interface ComponentUpdate {
  readonly component: string;
  readonly state: ComponentState;
  /** One line per workload that is not ready yet. */
  readonly waiting: readonly string[];
  readonly problems: readonly string[];
  readonly events: readonly string[];
}

export interface BlueprintInfo {
  readonly name: string;
  readonly version: string;
  readonly appVersion: string;
  readonly description: string;
}

/** The effective values of a release's deployed revision, each leaf with the layer it came from. */
export interface ValuesLayers {
  readonly blueprint: { readonly name: string; readonly version: string };
  readonly revision: number | undefined;
  readonly notes: readonly string[];
  /** `layer`: `default`, `revision 3`, `-f prod.yaml (#1)`, `--set #2`. */
  readonly leaves: readonly { readonly path: string; readonly value: unknown; readonly layer: string }[];
}
