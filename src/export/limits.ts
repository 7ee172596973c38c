/** What berth does at install time that an exported chart or GitOps folder cannot do. */
export const NOT_CARRIED: readonly string[] = [
  'stages and readiness gates: berth applies config, dependencies, migrations, backends and frontends in order and waits for each; Helm applies everything at once (no hook weights: hooks would take the objects out of the release), so pods restart until what they need is ready',
  "the release lock: concurrent Helm operations are serialised only by Helm's own pending-status check",
  'kept-secret rotation (berth upgrade --rotate-secret): delete a key of the Secret and upgrade to make a new value',
  'the wiring verifier and the upstream contract checks: they ran once, at export, for these values',
  'preflight (cluster version, RBAC, storage, CRDs, capacity, Pod Security): run berth preflight against the cluster before installing',
  'release records, plan and drift: use helm diff / helm history instead',
];
