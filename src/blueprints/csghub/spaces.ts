/**
 * What spaces and inference instances need outside the release's own pods: the namespace the
 * runner deploys into, the image pull Secret there, and name resolution of the Knative internal
 * domains (`<service>.<namespace>.<internal domain>`), which the release's CoreDNS answers.
 */
import { objectName, type RenderContext } from '../../render/context.ts';
import type { KubeObject } from '../../render/model.ts';
import { standardLabels } from '../../render/policies.ts';
import type { CsghubBackends } from './backends.ts';
import { spacePullSecretName } from './components.ts';
import type { CsghubValues } from './values.ts';

/** The runner's target namespace (the chart creates it before install too). */
export function spaceNamespace(values: CsghubValues, ctx: RenderContext): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: values.csghub.runner.namespace, labels: standardLabels(ctx, 'spaces') },
  };
}

/** How to create the pull Secret (its content comes from Secrets berth cannot read at render time). */
export function pullSecretNote(values: CsghubValues, ctx: RenderContext, backends: CsghubBackends): string {
  const { registry } = backends;
  const ext = values.integrations.registry;
  const from = ext.enabled
    ? { secret: ext.existingSecret, username: ext.secretKeys.username, password: ext.secretKeys.password }
    : { secret: objectName(ctx, 'registry'), username: 'username', password: 'password' };
  const read = (key: string) =>
    `"$(kubectl -n ${ctx.namespace} get secret ${from.secret} -o jsonpath='{.data.${key}}' | base64 -d)"`;
  return `Spaces pull their images with the Secret ${spacePullSecretName(values, ctx)} in namespace ${values.csghub.runner.namespace}; create it once: kubectl -n ${values.csghub.runner.namespace} create secret docker-registry ${spacePullSecretName(values, ctx)} --docker-server=${registry.address} --docker-username=${read(from.username)} --docker-password=${read(from.password)}`;
}

/**
 * The chart points the proxy's, runner's (and Casdoor's) pods at its CoreDNS through a fixed
 * cluster IP; berth cannot fix a cluster IP offline, so the cluster DNS forwards the internal
 * domains to the release's CoreDNS Service instead.
 */
export function dnsNote(values: CsghubValues, ctx: RenderContext): string {
  const domains = values.csghub.runner.internalDomains.map((d) => d.domain).join(', ');
  const service = objectName(ctx, 'coredns');
  return `Space URLs (*.${values.csghub.runner.namespace}.<${domains}>) are answered by ${service}: make the cluster DNS forward ${domains} to it, e.g. in kube-system's CoreDNS (k3s: ConfigMap coredns-custom, key <name>.server) add "<domain>:53 { forward . <cluster IP> }" with the IP from: kubectl -n ${ctx.namespace} get service ${service} -o jsonpath='{.spec.clusterIP}'`;
}
