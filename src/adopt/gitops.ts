/**
 * A release Argo CD or Flux still reconciles would be put back by them minutes after berth took it
 * over: adoption refuses it until that reconciliation is suspended.
 */
import type { KubeClient } from '../kube/client.ts';
import type { LiveObject } from '../kube/types.ts';

const FLUX_LABELS = ['helm.toolkit.fluxcd.io/name', 'kustomize.toolkit.fluxcd.io/name'];
const ARGO_MARKS = ['argocd.argoproj.io/instance', 'argocd.argoproj.io/tracking-id'];

async function listIfServed(
  client: KubeClient,
  apiVersion: string,
  kind: string,
  namespace?: string,
): Promise<LiveObject[]> {
  try {
    await client.resourceInfo(apiVersion, kind);
  } catch {
    return [];
  }
  return client.list({ apiVersion, kind, ...(namespace ? { namespace } : {}) });
}

const suspendedFlux = (object: LiveObject) =>
  (object.spec as { suspend?: boolean } | undefined)?.suspend === true;
const autoSyncedArgo = (object: LiveObject) =>
  Boolean((object.spec as { syncPolicy?: { automated?: unknown } } | undefined)?.syncPolicy?.automated);

/** Reasons the release is still reconciled by a GitOps controller; empty when it is not. */
export async function gitOpsReconcilers(
  client: KubeClient,
  namespace: string,
  release: string,
  objects: readonly LiveObject[],
): Promise<string[]> {
  const reasons: string[] = [];
  const helmReleases = await listIfServed(client, 'helm.toolkit.fluxcd.io/v2', 'HelmRelease');
  for (const hr of helmReleases) {
    const spec = (hr.spec ?? {}) as { releaseName?: string; targetNamespace?: string };
    const name = spec.releaseName ?? hr.metadata.name;
    const into = spec.targetNamespace ?? hr.metadata.namespace;
    if (name === release && into === namespace && !suspendedFlux(hr))
      reasons.push(
        `Flux HelmRelease ${hr.metadata.namespace}/${hr.metadata.name} reconciles it (flux suspend helmrelease ${hr.metadata.name} -n ${hr.metadata.namespace})`,
      );
  }
  const applications = await listIfServed(client, 'argoproj.io/v1alpha1', 'Application');
  const tracked = new Set<string>();
  for (const object of objects) {
    const marks = { ...object.metadata.labels, ...object.metadata.annotations };
    for (const key of ARGO_MARKS) if (marks[key]) tracked.add(String(marks[key]).split(':')[0]!);
    for (const key of FLUX_LABELS) {
      if (!marks[key]) continue;
      const owner = helmReleases.find((hr) => hr.metadata.name === marks[key]);
      if (!owner || !suspendedFlux(owner))
        reasons.push(
          `${object.kind}/${object.metadata.name} is labelled ${key}=${marks[key]}: Flux reconciles it until suspended`,
        );
    }
  }
  for (const app of applications) {
    const spec = (app.spec ?? {}) as {
      destination?: { namespace?: string };
      source?: { helm?: { releaseName?: string } };
    };
    const names =
      tracked.has(app.metadata.name) || (spec.source?.helm?.releaseName ?? app.metadata.name) === release;
    if (names && spec.destination?.namespace === namespace && autoSyncedArgo(app))
      reasons.push(
        `Argo CD Application ${app.metadata.namespace}/${app.metadata.name} syncs it automatically (turn off automated sync first)`,
      );
    tracked.delete(app.metadata.name);
  }
  for (const name of tracked)
    reasons.push(
      `its objects are tracked by Argo CD application ${name}, which berth cannot see: remove them from it first`,
    );
  return [...new Set(reasons)];
}
