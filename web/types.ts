/** The shapes the console's API returns: the server's own types where they import nothing that runs. */
import type { RevisionView, Topology } from '../src/console/types.ts';

export type {
  BlueprintInfo,
  ComponentState,
  ComponentUpdate,
  ObjectDiff,
  RevisionView,
  Topology,
  ValuesLayers,
} from '../src/console/types.ts';
export type { OwnershipReport } from '../src/inspect/owners.ts';
export type { RecordSummary as ReleaseSummary } from '../src/release/store.ts';

/** ReleaseStatusReport (src/release/queries.ts), as far as the page reads it. */
export interface ReleaseDetail {
  readonly status: {
    readonly release: string;
    readonly namespace: string;
    readonly revision: number;
    readonly status: string;
    readonly blueprint: { readonly name: string; readonly version: string; readonly appVersion: string };
    readonly notes: readonly string[];
  };
  readonly topology: Topology;
  readonly revision: RevisionView;
}

/** A Plan (src/plan/plan.ts), as far as the page reads it. */
export interface Plan {
  readonly summary: Record<'create' | 'change' | 'prune' | 'unchanged', number>;
  readonly changes: readonly {
    readonly action: string;
    readonly object: string;
    readonly diff: string;
    readonly note?: string;
  }[];
  readonly notes: readonly string[];
  /** dataSafety (src/inspect/data-safety.ts) of this very plan. */
  readonly safety: DataSafety;
}

/** DataSafety (src/inspect/data-safety.ts), as far as the page reads it. */
export interface DataSafety {
  readonly findings: readonly {
    readonly risk: 'deleted' | 'recreate' | 'replaced' | 'credentials' | 'kept';
    readonly object: string;
    readonly fields: readonly string[];
    readonly reason: string;
  }[];
  readonly safe: boolean;
}

/** One check of a PreflightReport (src/preflight/model.ts), as far as the page reads it. */
export interface PreflightCheck {
  readonly id: string;
  readonly title: string;
  readonly outcome: 'pass' | 'warn' | 'fail';
  readonly message: string;
  readonly details?: readonly string[];
}
