/**
 * What csghub-server v1.2.0 and the CSGHub chart 1.2.0 (csghub-installer) require of a release,
 * read in their source; each fact checks the rendered release.
 */

import type { ContractFact, UpstreamContract, UpstreamSource } from '../../verify/contract.ts';
import type { ContainerView, ReleaseView } from '../../verify/view.ts';
import { SPACE_DNS_CLIENTS } from './spaces.ts';
import { CSGHUB_VERSION } from './values.ts';

const SERVER = 'OpenCSGs/csghub-server';
const CHART = 'OpenCSGs/csghub-installer';
const CHART_REF = 'csghub-1.2.0';
const CHART_DIR = 'helm-chart/charts/csghub/charts';

const server = (file: string, symbol?: string): UpstreamSource => ({
  repo: SERVER,
  ref: CSGHUB_VERSION,
  file,
  ...(symbol ? { symbol } : {}),
});
const chart = (file: string, symbol?: string): UpstreamSource => ({
  repo: CHART,
  ref: CHART_REF,
  file: `${CHART_DIR}/${file}`,
  ...(symbol ? { symbol } : {}),
});

/** The mirror's containers run `starhub mirror <task>`; the repo-sync one starts a workflow worker. */
const containersRunning = (release: ReleaseView, component: string): ContainerView[] =>
  release.component(component)?.containers.filter((c) => c.image.includes('csghub_server')) ?? [];

const SERVER_ROLES = ['server', 'user', 'accounting', 'runner', 'proxy', 'mirror'];
const TOKEN_CHECKERS = ['server', 'user', 'accounting'];
const WORKFLOW_ROLES = ['server', 'user', 'mirror'];

/** host:port → is it a Service of the release with that port, or (when external) anything non-empty. */
function reachesReleaseService(release: ReleaseView, endpoint: string): boolean {
  const [host = '', port = ''] = endpoint.split(':');
  const short = host.split('.')[0] ?? '';
  const service = release.object('Service', short);
  if (!service) return host !== '' && host !== 'localhost' && host !== '127.0.0.1';
  const ports = ((service.spec as { ports?: { port: number }[] }).ports ?? []).map((p) => String(p.port));
  return ports.includes(port);
}

/**
 * Does the config file's placeholder (filled at start-up by the component's first init container)
 * read the same Secret key as `ref`? A problem sentence when it does not.
 */
function sharesSecret(
  release: ReleaseView,
  component: string,
  file: string,
  placeholder: RegExp,
  ref: { readonly name: string; readonly key?: string },
): string | undefined {
  const config = release.data('ConfigMap', component, file);
  if (config === undefined) return undefined;
  const name = config.match(placeholder)?.[1];
  const read = name ? release.component(component)?.initContainers[0]?.env.get(name)?.ref : undefined;
  return read?.name === ref.name && read?.key === ref.key
    ? undefined
    : `${component}: the secret in ${file} is not the server's JWT secret`;
}

export const contract: UpstreamContract = {
  blueprint: 'csghub',
  upstreamVersion: CSGHUB_VERSION,
  facts: [
    {
      id: 'server.api-token-length',
      fact: '`start server`, `user launch` and `accounting launch` exit unless STARHUB_SERVER_API_TOKEN has at least 128 characters.',
      source: server('cmd/csghub-server/cmd/start/server.go', 'serverCmd'),
      check: (release) =>
        TOKEN_CHECKERS.flatMap((name) => {
          const c = release.main(name);
          if (!c) return [];
          const token = c.env.get('STARHUB_SERVER_API_TOKEN');
          if (!token)
            return [`${name}: STARHUB_SERVER_API_TOKEN is not set (the built-in default is public)`];
          return token.value !== undefined && token.value.length < 128
            ? [`${name}: STARHUB_SERVER_API_TOKEN has ${token.value.length} characters, fewer than 128`]
            : [];
        }),
    },
    {
      id: 'portal.api-token',
      fact: "The portal calls the server's API with CSGHUB_PORTAL_STARHUB_API_KEY, which the server compares with its API token.",
      source: server('api/middleware/authenticator.go', 'Authenticator'),
      check: (release) => {
        const portal = release.main('portal');
        const srv = release.main('server');
        if (!portal || !srv) return [];
        const a = portal.env.get('CSGHUB_PORTAL_STARHUB_API_KEY')?.ref;
        const b = srv.env.get('STARHUB_SERVER_API_TOKEN')?.ref;
        return a?.name === b?.name && a?.key === b?.key
          ? []
          : ["portal's API key is not the server's API token"];
      },
    },
    {
      id: 'workflow.endpoint',
      fact: 'server, user and mirror repo-sync dial Temporal at OPENCSG_WORKFLOW_SERVER_ENDPOINT (default localhost:7233) with client.Dial at start and exit when it fails; the server also registers its cron schedules there.',
      source: server('api/workflow/worker.go', 'StartWorker'),
      check: (release) =>
        WORKFLOW_ROLES.flatMap((name) =>
          containersRunning(release, name).flatMap((c) => {
            const endpoint = c.value('OPENCSG_WORKFLOW_SERVER_ENDPOINT');
            if (!endpoint) return [`${name}/${c.name}: OPENCSG_WORKFLOW_SERVER_ENDPOINT is not set`];
            return reachesReleaseService(release, endpoint)
              ? []
              : [`${name}/${c.name}: workflow endpoint ${endpoint} is no Service port of the release`];
          }),
        ),
    },
    {
      id: 'temporal.bundled',
      fact: 'The chart deploys Temporal as temporalio/auto-setup 1.25.1 (DB=postgres12, databases temporal and temporal_visibility) behind a Service on 7233.',
      source: chart('temporal/templates/configmap.yaml'),
      check: (release) => {
        const t = release.main('temporal');
        if (!t) return [];
        const problems: string[] = [];
        if (t.value('DB') !== 'postgres12') problems.push('temporal: DB is not postgres12');
        for (const key of [
          'POSTGRES_SEEDS',
          'DBNAME',
          'VISIBILITY_DBNAME',
          'POSTGRES_USER',
          'POSTGRES_PWD',
        ]) {
          if (!t.env.has(key)) problems.push(`temporal: ${key} is not set`);
        }
        if (!t.ports.some((p) => p.containerPort === 7233)) problems.push('temporal: no port 7233');
        return problems;
      },
    },
    {
      id: 'gitlab-shell.jwt-secret',
      fact: "The server's /api/v4/internal/* routes (SSH allowed, pre/post-receive) accept only requests whose Gitlab-Shell-Api-Request JWT is signed with STARHUB_SERVER_GITALY_JWT_SECRET (default `signing-key`); gitlab-shell signs with its secret, Gitaly with `[gitlab] secret`.",
      source: server('api/middleware/gitlab_shell_jwt.go', 'CheckGitlabShellJWTToken'),
      check: (release) => {
        const srv = release.main('server');
        if (!srv) return [];
        const jwt = srv.env.get('STARHUB_SERVER_GITALY_JWT_SECRET');
        if (!jwt?.ref) return ['server: STARHUB_SERVER_GITALY_JWT_SECRET does not come from a Secret'];
        return [
          sharesSecret(release, 'gitaly', 'config.toml', /\[gitlab\][^[]*secret = "@@(\w+)@@"/, jwt.ref),
          sharesSecret(release, 'gitlab-shell', '.gitlab_shell_secret', /@@(\w+)@@/, jwt.ref),
        ].flatMap((problem) => (problem ? [problem] : []));
      },
    },
    {
      id: 'gitaly.token',
      fact: "The server authenticates to Gitaly with STARHUB_SERVER_GITALY_TOKEN, which must equal Gitaly's `[auth] token`.",
      source: server('builder/git/gitserver/gitaly/client.go', 'NewClient'),
      check: (release) => {
        const srv = release.main('server');
        const init = release.component('gitaly')?.initContainers[0];
        if (!srv || !init) return [];
        const a = srv.env.get('STARHUB_SERVER_GITALY_TOKEN')?.ref;
        const b = init.env.get('GITALY_TOKEN')?.ref;
        return a?.name === b?.name && a?.key === b?.key ? [] : ["server's Gitaly token is not Gitaly's"];
      },
    },
    {
      id: 'server.gitaly-storage',
      fact: 'v1.2.0 reads the Gitaly storage name from STARHUB_SERVER_GITALY_STORGE (sic), default `default`, which must name a Gitaly [[storage]].',
      source: server('common/config/config.go', 'GitalyServer.Storge'),
      check: (release) => {
        const srv = release.main('server');
        const gitaly = release.data('ConfigMap', 'gitaly', 'config.toml');
        if (!srv || gitaly === undefined) return [];
        const name = srv.value('STARHUB_SERVER_GITALY_STORGE') ?? 'default';
        return gitaly.includes(`name = "${name}"`) ? [] : [`gitaly has no storage named ${name}`];
      },
    },
    {
      id: 'runner.namespace',
      fact: 'The runner deploys into the namespace named by the first label of STARHUB_SERVER_INTERNAL_ROOT_DOMAIN; the chart creates that namespace.',
      source: server('runner/handler/service.go', 'NewK8sHandler'),
      check: (release) => {
        const runner = release.main('runner');
        if (!runner) return [];
        const ns = runner.value('STARHUB_SERVER_INTERNAL_ROOT_DOMAIN')?.split('.')[0];
        const values = release.values as { csghub?: { runner?: { createNamespace?: boolean } } };
        if (!ns) return ['runner: STARHUB_SERVER_INTERNAL_ROOT_DOMAIN is not set'];
        if (values.csghub?.runner?.createNamespace === false) return [];
        return release.objects.some((o) => o.kind === 'Namespace' && o.metadata.name === ns)
          ? []
          : [`namespace ${ns} the runner deploys to is not rendered`];
      },
    },
    {
      id: 'runner.image-pull-secret',
      fact: 'Space pods pull with the Secret STARHUB_SERVER_DOCKER_IMAGE_PULL_SECRET (default opencsg-pull-secret) of the space namespace; the chart renders it as <release>-runner-docker-config.',
      source: chart('registry/templates/secret.yaml'),
      check: (release) => {
        const problems = ['server', 'runner'].flatMap((name) => {
          const c = release.main(name);
          if (!c) return [];
          const secret = c.value('STARHUB_SERVER_DOCKER_IMAGE_PULL_SECRET');
          return !secret || secret === 'opencsg-pull-secret'
            ? [`${name}: STARHUB_SERVER_DOCKER_IMAGE_PULL_SECRET does not name the release's pull Secret`]
            : [];
        });
        // With the bundled registry and the space namespace rendered, nothing stops berth from rendering it.
        const values = release.values as {
          csghub?: { runner?: { createNamespace?: boolean; imagePullSecret?: string; namespace?: string } };
          integrations?: { registry?: { enabled?: boolean } };
        };
        const runner = values.csghub?.runner ?? {};
        const name = release.main('runner')?.value('STARHUB_SERVER_DOCKER_IMAGE_PULL_SECRET');
        if (
          release.component('registry') &&
          runner.createNamespace !== false &&
          !runner.imagePullSecret &&
          name
        ) {
          const secret = release.objects.find((o) => o.kind === 'Secret' && o.metadata.name === name);
          if (secret?.type !== 'kubernetes.io/dockerconfigjson')
            problems.push(`pull Secret ${name} for the bundled registry is not rendered`);
          else if (secret.metadata.namespace !== (runner.namespace ?? 'space'))
            problems.push(`pull Secret ${name} is not in the space namespace`);
        }
        return problems;
      },
    },
    {
      id: 'seed.loaded',
      fact: 'Making root an administrator and defining space resources and runtimes is not done by the server: the chart runs initialize.sql with psql against the server database after install and upgrade.',
      source: chart('server/templates/job.yaml'),
      check: (release) => {
        if (!release.component('server')) return [];
        const job = release.component('seed');
        const sql = release.data('ConfigMap', 'server-seed', 'seed.sql');
        if (!job || sql === undefined) return ['no seed Job loads the root administrator and runtimes'];
        const problems: string[] = [];
        if (!/role_mask = 'admin'/.test(sql)) problems.push('the seed does not make root an administrator');
        if (!/runtime_frameworks/.test(sql)) problems.push('the seed defines no runtimes');
        if (/TRUNCATE/i.test(sql)) problems.push('the seed truncates tables on every apply');
        return problems;
      },
    },
    {
      id: 'server.schema-before-roles',
      fact: "The schema is created by `starhub migration init` and `migration migrate` (the image's init.sh runs them before `start server`; berth's migrate Job does instead); user, accounting, runner, proxy and mirror only use it.",
      source: server('scripts/init.sh'),
      check: (release) => {
        const job = release.component('migrate');
        if (!release.component('server')) return [];
        if (!job) return ['no migrate Job runs the schema migrations before the csghub_server roles'];
        const script = [...job.containers.flatMap((c) => c.command)].join(' ');
        return /migration migrate/.test(script) ? [] : ['the migrate Job does not run `migration migrate`'];
      },
    },
    {
      id: 'spaces.dns',
      fact: "rproxy forwards to http://<service>.<STARHUB_SERVER_INTERNAL_ROOT_DOMAIN> and the server's deployer wakes spaces up at the same URL; the chart's CoreDNS answers those names with the proxy's nginx and forwards the rest to kube-dns, and the chart points proxy, runner and casdoor (not the server, though it dials them) at it with dnsPolicy None through a fixed Service IP (kube-dns's with last octet 11).",
      source: server('builder/deploy/deployer.go', 'deployer.Wakeup'),
      check: (release) => {
        const dns = release.component('coredns');
        if (!dns) return [];
        const problems: string[] = [];
        const corefile = release.data('ConfigMap', 'coredns', 'Corefile') ?? '';
        if (!/forward \. /.test(corefile))
          problems.push('coredns: does not forward other names to the cluster DNS');
        const service = release.object('Service', 'coredns');
        const ip = (service?.spec as { clusterIP?: string } | undefined)?.clusterIP;
        const clients = SPACE_DNS_CLIENTS.flatMap((name) => {
          const c = release.component(name);
          return c ? [c] : [];
        });
        const pointed = clients.filter((c) => c.podSpec.dnsPolicy === 'None');
        if (!ip || ip === 'None') {
          if (pointed.length)
            problems.push(
              `${pointed.map((c) => c.name).join(', ')}: name a DNS server but coredns has no fixed IP`,
            );
          const policy = release.object('NetworkPolicy', 'coredns');
          const admitsClusterDns = JSON.stringify(policy?.spec ?? {}).includes('kube-system');
          if (policy && !admitsClusterDns)
            problems.push(
              'coredns: its network policy refuses the cluster DNS that forwards the space domains',
            );
          return problems;
        }
        for (const c of clients) {
          const servers = (c.podSpec.dnsConfig as { nameservers?: string[] } | undefined)?.nameservers ?? [];
          if (c.podSpec.dnsPolicy !== 'None' || servers.join() !== ip)
            problems.push(`${c.name}: does not resolve through the release's CoreDNS at ${ip}`);
        }
        return problems;
      },
    },
    {
      id: 'server.writable-paths',
      fact: "The csghub_server image has no USER and its /starhub-bin is root's; init.sh (the image's entrypoint) migrates and appends the one-off `sync sync-as-client` output to /starhub-bin/cron-sync-as-client.log, which a non-root uid cannot open, so the sync never runs. No role writes any other file.",
      source: server('scripts/init.sh'),
      check: (release) =>
        SERVER_ROLES.flatMap((name) =>
          containersRunning(release, name).flatMap((c) => {
            const script = [...c.command, ...c.args].join(' ');
            const user = (c.securityContext.runAsUser ??
              (release.component(name)?.podSpec.securityContext as { runAsUser?: number } | undefined)
                ?.runAsUser) as number | undefined;
            return user !== 0 && /init\.sh|>>?\s*\/starhub-bin\//.test(script)
              ? [`${name}/${c.name}: writes under the root-owned /starhub-bin as uid ${user ?? '?'}`]
              : [];
          }),
        ),
    },
    {
      id: 'server.single',
      fact: '`start server` runs, in every process and without leader election, the deploy scheduler, the status refresher and a metering loop that publishes one fee event per running deploy each interval: two servers bill twice. (Cron jobs are Temporal schedules and run once.)',
      source: server('builder/deploy/deployer.go', 'newDeployer'),
      check: (release) => {
        const srv = release.component('server');
        if (!srv) return [];
        const replicas = (srv.workload.spec as { replicas?: number }).replicas ?? 1;
        const autoscaled = release.objects.some(
          (o) =>
            o.kind === 'HorizontalPodAutoscaler' &&
            (o.spec as { scaleTargetRef?: { name?: string } }).scaleTargetRef?.name ===
              srv.workload.metadata.name,
        );
        return replicas > 1 || autoscaled ? ['server runs more than one replica'] : [];
      },
    },
    {
      id: 'portal.image',
      fact: 'Chart 1.2.1 (still csghub-server v1.2.0) moved the portal to csghub_portal v1.2.1, which fixes the redirect after creating a repository; v1.2.0 of the portal has that bug.',
      source: {
        repo: CHART,
        ref: 'csghub-1.2.1',
        file: 'helm-chart/charts/csghub/values.yaml',
        symbol: 'global.portal.image.tag',
      },
      check: (release) => {
        const portal = release.main('portal');
        return portal && /csghub_portal:v1\.2\.0$/.test(portal.image)
          ? ['portal: csghub_portal v1.2.0 cannot redirect after a repository is created']
          : [];
      },
    },
    {
      id: 'runner.single',
      fact: 'The runner runs an Argo workflow informer that writes each event to the database, with no leader election: one replica only.',
      source: server('runner/component/workflow.go', 'RunWorkflowsInformer'),
      check: (release) => {
        const runner = release.component('runner');
        if (!runner) return [];
        // Surging during a rollout is the wiring verifier's concern (singletons never surge).
        const replicas = (runner.workload.spec as { replicas?: number }).replicas ?? 1;
        return replicas > 1 ? [`runner runs ${replicas} replicas`] : [];
      },
    },
    {
      id: 'roles.common-env',
      fact: 'Every csghub_server role reads its database through STARHUB_DATABASE_DSN (default a local postgres) and NATS through OPENCSG_ACCOUNTING_NATS_URL.',
      source: server('common/config/config.go', 'Config'),
      check: (release) =>
        SERVER_ROLES.flatMap((name) =>
          containersRunning(release, name).flatMap((c) =>
            ['STARHUB_DATABASE_DSN', 'OPENCSG_ACCOUNTING_NATS_URL', 'STARHUB_SERVER_REDIS_ENDPOINT']
              .filter((key) => !c.env.has(key))
              .map((key) => `${name}/${c.name}: ${key} is not set`),
          ),
        ),
    },
  ] satisfies ContractFact[],
};
