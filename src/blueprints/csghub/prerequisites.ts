/**
 * What CSGHub needs in the cluster before it can deploy spaces and inference instances: Knative
 * Serving (the runner creates `ksvc`s). Preflight checks these CRDs; render only mentions them.
 */

/** CRDs of Knative Serving the runner relies on (installed by serving-crds.yaml). */
export const requiredCrds: readonly string[] = [
  'services.serving.knative.dev',
  'configurations.serving.knative.dev',
  'revisions.serving.knative.dev',
  'routes.serving.knative.dev',
];

export const KNATIVE_INSTALL_HINT =
  'Knative Serving must be installed in the target cluster (serving-crds.yaml, serving-core.yaml and Kourier, with config-network ingress-class kourier and enable-scale-to-zero false); berth does not install it.';
