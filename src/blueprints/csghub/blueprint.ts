/**
 * CSGHub (OpenCSG's model and dataset hub), as its Helm chart deploys it: the csghub_server roles
 * (server, user, accounting, runner, proxy, mirror), portal, builder, Casdoor, gitlab-shell and
 * CoreDNS over PostgreSQL, Redis, MinIO, a registry, NATS, Gitaly and Temporal; one sub-domain per
 * entry.
 */
import { objectName, type RenderContext } from '../../render/context.ts';
import type { PlatformSpec, SecretSpec } from '../../render/model.ts';
import { defineBlueprint } from '../blueprint.ts';
import { type CsghubAccess, csghubAccess, csghubIngresses, SUBDOMAINS, type Subdomain } from './access.ts';
import { type CsghubBackends, csghubBackends } from './backends.ts';
import {
  API_TOKEN_KEY,
  builder,
  GITLAB_SHELL_SECRET_KEY,
  jwtSecretName,
  portal,
  proxyNginxConfig,
  serverConfig,
  serverFamily,
  type Wiring,
} from './components.ts';
import { casdoor, coredns, createDatabases, gitlabShell, logCollector } from './edge.ts';
import { KNATIVE_INSTALL_HINT } from './prerequisites.ts';
import { migrateJob, seedConfig, seedJob } from './seed.ts';
import { dnsNote, pullSecretNote, resolvingSpaces, spaceNamespace, spacePullSecret } from './spaces.ts';
import { temporal } from './temporal.ts';
import { CSGHUB_VERSION, type CsghubValues, csghubValues } from './values.ts';

export { requiredCrds } from './prerequisites.ts';

/** Secrets the chart hard-codes; berth generates them once and keeps them. */
const APP_SECRET: SecretSpec = {
  name: 'app',
  generated: {
    'admin-password': { kind: 'alphanumeric', length: 24 },
    // csghub-server refuses an API token shorter than 128 characters.
    [API_TOKEN_KEY]: { kind: 'hex', bytes: 64 },
    'jwt-signing-key': { kind: 'hex', bytes: 16 },
    'space-session-secret': { kind: 'hex', bytes: 16 },
    'casdoor-client-secret': { kind: 'hex', bytes: 20 },
    'gitaly-token': { kind: 'alphanumeric', length: 32 },
    [GITLAB_SHELL_SECRET_KEY]: { kind: 'alphanumeric', length: 32 },
  },
  fixed: { 'admin-username': 'root' },
};

/** The sub-domains berth serves: MinIO's and the registry's only while they are bundled. */
function publicHosts(values: CsghubValues): Subdomain[] {
  return SUBDOMAINS.filter(
    (name) =>
      (name !== 'minio' || !values.integrations.s3.enabled) &&
      (name !== 'registry' || !values.integrations.registry.enabled),
  );
}

function notes(
  values: CsghubValues,
  ctx: RenderContext,
  access: CsghubAccess,
  backends: CsghubBackends,
): string[] {
  const secret = objectName(ctx, 'app');
  const hosts = publicHosts(values).map((name) => access.host(name));
  const lines = [
    `CSGHub ${CSGHUB_VERSION} (release ${ctx.release}, namespace ${ctx.namespace}).`,
    `Open ${access.url('csghub')} once ${hosts.join(', ')} resolve to your ingress controller${access.entryType === 'NodePort' ? ` (its HTTP/HTTPS node ports must be ${values.csghub.entry.nodePorts.http}/${values.csghub.entry.nodePorts.https})` : ''}.`,
    'Log in as root with the password berth generated:',
    `  kubectl -n ${ctx.namespace} get secret ${secret} -o jsonpath='{.data.admin-password}' | base64 -d`,
    `Casdoor (single sign-on): ${access.url('casdoor')}`,
    `Git over SSH: ssh://git@${access.host('csghub')}:${access.sshPort}`,
    `Before install, create the runner's kubeconfig Secret: kubectl -n ${ctx.namespace} create secret generic ${values.csghub.runner.kubeconfigSecret} --from-file=$HOME/.kube/`,
  ];
  if (!values.csghub.casdoor.jwtSecret) {
    lines.push(
      `and Casdoor's JWT signing certificate: openssl req -x509 -newkey rsa:4096 -nodes -days 3650 -subj /CN=casdoor -keyout tls.key -out tls.crt && kubectl -n ${ctx.namespace} create secret tls ${jwtSecretName(values, ctx)} --cert=tls.crt --key=tls.key`,
    );
  }
  lines.push(KNATIVE_INSTALL_HINT);
  for (const note of [pullSecretNote(values, ctx, backends, access), dnsNote(values, ctx)])
    if (note) lines.push(note);
  if (backends.registry.plainHttp) {
    lines.push(
      `Nodes pull space images from ${backends.registry.address} over plain HTTP (no ingress TLS): configure containerd on every node to allow it (certs.d/${backends.registry.address}/hosts.toml with an http:// host and skip_verify, as the CSGHub guide shows), or enable ingress.tls.`,
    );
  }
  return lines;
}

function warnings(values: CsghubValues, ctx: RenderContext, access: CsghubAccess): string[] {
  const list: string[] = [];
  if (access.entryType === 'LoadBalancer') {
    list.push(
      "csghub.entry.type LoadBalancer exposes Git over SSH on port 22: on clusters whose load balancer uses the node addresses (k3s ServiceLB, Docker Desktop) it takes over the node's port 22 and locks you out of SSH. Move sshd to another port first, or use NodePort (30022).",
    );
  }
  if (ctx.common.ingress.enabled || ctx.common.ingress.host) {
    list.push(
      'ingress.enabled and ingress.host are not used: CSGHub always serves csghub/casdoor/minio/registry.<csghub.domain> (ingress.hosts[] are served as more names of the portal).',
    );
  }
  if (values.csghub.builder.dockerHost === '') {
    list.push(
      "the space builder's rootless Docker-in-Docker sidecar runs privileged (a declared security exception): the namespace needs the privileged Pod Security level, or set csghub.builder.dockerHost to an external Docker daemon.",
    );
  }
  const bundled = (['postgresql', 'redis', 's3', 'registry'] as const).filter(
    (dep) => !values.integrations[dep].enabled,
  );
  if (bundled.length) {
    list.push(
      `bundled single-instance ${bundled.map((d) => (d === 's3' ? 'minio' : d)).join(', ')} are fine for trials; production should use integrations.* (the bundled registry is not for production)`,
    );
  }
  return list;
}

export const blueprint = defineBlueprint({
  name: 'csghub',
  version: '0.1.0',
  appVersion: CSGHUB_VERSION,
  description: 'CSGHub: LLM asset hub (models, datasets, spaces) with Git, SSO and Knative deployments',
  home: 'https://github.com/OpenCSGs/csghub',
  kubeVersion: '>=1.20.0',
  schema: csghubValues,
  build(values, ctx): PlatformSpec {
    const access = csghubAccess(values, ctx);
    const backends = csghubBackends(values, ctx, access);
    const wiring: Wiring = { values, ctx, access, backends };
    const sso = casdoor(wiring);
    const ssh = gitlabShell(wiring);
    const dns = coredns(wiring);
    const logs = values.csghub.logging.enabled ? logCollector(wiring) : undefined;
    const pullSecret = spacePullSecret(values, access);
    const ingresses = csghubIngresses(ctx, access, {
      csghub: [
        { path: '/', component: 'portal', port: 'http' },
        { path: '/api/', component: 'server', port: 'http' },
        { path: '/hf/', component: 'server', port: 'http' },
        { path: '/.*\\.git(/.*)?$', component: 'server', port: 'http' },
      ],
      casdoor: [{ path: '/', component: 'casdoor', port: 'http' }],
      ...(values.integrations.s3.enabled ? {} : { minio: [{ path: '/', component: 'minio', port: 's3' }] }),
      ...(values.integrations.registry.enabled
        ? {}
        : { registry: [{ path: '/', component: 'registry', port: 'registry' }] }),
    });
    return {
      components: [
        ...backends.components,
        dns.component,
        createDatabases(wiring),
        ...(values.integrations.temporal.enabled ? [] : [temporal(wiring)]),
        migrateJob(wiring),
        ...serverFamily(wiring).map((component) => resolvingSpaces(values, ctx, component)),
        seedJob(wiring),
        builder(wiring),
        sso.component,
        ssh.component,
        portal(wiring),
      ],
      secrets: [APP_SECRET, ...backends.secrets, ...(pullSecret ? [pullSecret] : [])],
      configMaps: [
        serverConfig(wiring),
        proxyNginxConfig(values),
        sso.configMap,
        ssh.configMap,
        dns.configMap,
        seedConfig(),
        ...backends.configMaps,
        ...(logs ? [logs.configMap] : []),
      ],
      ingressRoutes: [],
      // Casdoor's JWT signing certificate: a key pair berth cannot generate yet (see the notes).
      userProvidedSecrets: [jwtSecretName(values, ctx)],
      extraObjects: [
        ...(values.csghub.runner.createNamespace
          ? [{ stage: 'config' as const, object: spaceNamespace(values, ctx) }]
          : []),
        ...ingresses.map((object) => ({ stage: 'frontends' as const, object })),
        ...(logs?.objects ?? []).map((object) => ({ stage: 'backends' as const, object })),
      ],
      alerts: [],
      notes: notes(values, ctx, access, backends),
      warnings: warnings(values, ctx, access),
    };
  },
});
