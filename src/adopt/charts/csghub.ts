import { API_TOKEN_KEY } from '../../blueprints/csghub/components.ts';
import { BerthError } from '../../errors.ts';
import type { LiveObject } from '../../kube/types.ts';
import type { HelmRelease } from '../helm-record.ts';
import { at, type ChartObjects, type ChartProfile, LayoutBuilder } from './profile.ts';

/**
 * OpenCSGs/csghub-installer, chart `csghub` 1.2.x (tags v1.2.0–v1.2.3, helm-chart/charts/csghub,
 * app version v1.2.0 as berth's blueprint pins). Every component is a subchart named
 * `<release>-<subchart>` (common.names.custom) and selected by `app.kubernetes.io/name: <subchart>`
 * plus `app.kubernetes.io/instance: <release>`; each store is a one-replica StatefulSet of that
 * name whose claim template is `data` (so the claim is `data-<release>-<store>-0`), the same names
 * berth gives its own, so berth applies over them in place:
 * - postgresql (image postgres 15.7, Debian: uid 999): mounted at /var/lib/postgresql/data with
 *   PGDATA the volume root; superuser `postgres` and one owner per database (csghub_server,
 *   csghub_portal, casdoor, temporal), each password in Secret `<release>-postgresql` under the
 *   user's name (`postgres` for the superuser).
 * - redis (redis 7.2.5, runs as uid 999 after the entrypoint chowns /data): append-only data at the
 *   root of the volume mounted at /data; password in Secret `<release>-redis` key REDIS_PASSWD.
 * - minio (runs as root): objects at the root of /data; Secret `<release>-minio` keys
 *   MINIO_ROOT_USER (default `minio`) and MINIO_ROOT_PASSWORD; buckets csghub-git and csghub-portal.
 * - gitaly (v16.4.6 in 1.2.0, v17.5.0 in 1.2.3; forced to run as root): repositories at
 *   /var/opt/gitaly/repositories.
 * - nats (runs as root): JetStream at /data/jetstream; Secret `<release>-nats` keys NATS_USERNAME,
 *   NATS_PASSWORD.
 * - registry: its volume stays empty — the chart stores images in MinIO (REGISTRY_STORAGE s3,
 *   bucket csghub-git).
 * gitlab-shell (its SSH host keys, template `data` at /srv/gitlab-shell/keys) and the builder
 * (template `data` at /opt/data) keep their claims the same way: berth's StatefulSets take the
 * chart's claim templates and mount them at the same paths.
 * The applications read their secrets from ConfigMaps the chart hard-codes: `<release>-server`
 * (STARHUB_JWT_SIGNING_KEY, STARHUB_SERVER_API_TOKEN, STARHUB_SERVER_GITALY_TOKEN) and
 * `<release>-casdoor` (STARHUB_SERVER_CASDOOR_CLIENT_ID and _SECRET, also in Casdoor's data);
 * Casdoor signs its JWTs with the tls Secret `<release>-casdoor`.
 * The bundled ingress-nginx subchart (`<release>-ingress-nginx-controller`, IngressClass `nginx`)
 * is the entry: node ports 30080/30443 in the guide's NodePort install, and TCP 22 forwarded to
 * gitlab-shell (ConfigMap `<release>-ingress-nginx-tcp`, node port 30022).
 */
export const csghubV1_2: ChartProfile = {
  blueprint: 'csghub',
  chart: 'csghub',
  versions: '1.2.x (CSGHub v1.2.0)',
  accepts: (version) => /^v?1\.2\.\d+$/.test(version),
  layout(helm, objects) {
    const release = helm.name;
    const name = (component: string) => `${release}-${component}`;
    const server = objects.get('ConfigMap', name('server'));
    if (!server) {
      throw new BerthError(
        'BERTH_ADOPT_CHART',
        `Helm release ${release}: the chart's ConfigMap ${name('server')} is missing, so the secrets the install runs with cannot be read`,
      );
    }
    if (at(helm.config, 'global.gitaly.enabled') === false) {
      throw new BerthError(
        'BERTH_ADOPT_CHART',
        `Helm release ${release}: the chart uses an external Gitaly (global.gitaly.enabled false); berth always runs its own, which would start without the repositories the database names`,
      );
    }
    const bundled = (store: string) => at(helm.config, `global.${store}.enabled`) !== false;
    const layout = new LayoutBuilder(release, objects);
    const serverValue = (key: string) => configValue(server, key);
    layout.seed('app', 'jwt-signing-key', serverValue('STARHUB_JWT_SIGNING_KEY'));
    layout.seed('app', API_TOKEN_KEY, serverValue('STARHUB_SERVER_API_TOKEN'));
    layout.seed('app', 'gitaly-token', serverValue('STARHUB_SERVER_GITALY_TOKEN'));
    casdoor(layout, objects, release);
    layout.notes.push(
      "the root user's password is the one in Casdoor's data (the chart's Root@1234 unless changed), not berth's generated admin-password",
    );

    if (bundled('postgresql')) {
      const password = objects.secret(name('postgresql'))?.['postgres'];
      if (password === undefined)
        throw new BerthError(
          'BERTH_ADOPT_CHART',
          `Helm release ${release}: Secret ${name('postgresql')} has no key postgres (the superuser's password), so berth could not open the chart's databases`,
        );
      layout.seed('postgresql', 'password', password);
      // berth connects with one user to every database; in the chart's data only the superuser owns them all.
      for (const variable of DATABASE_USER_ENV) layout.appEnv[variable] = 'postgres';
      keepImage(layout, objects, 'postgresql', name('postgresql'));
      layout.store(
        {
          dependency: 'postgresql',
          workload: { kind: 'StatefulSet', name: name('postgresql') },
          env: { PGDATA: '/var/lib/postgresql/data' },
          uid: 999,
        },
        'data',
      );
      layout.notes.push(
        "PostgreSQL keeps the chart's image (its collations built the indexes); berth's applications connect as the chart's superuser postgres",
      );
    }
    if (bundled('redis')) {
      layout.seed('redis', 'password', objects.secret(name('redis'))?.['REDIS_PASSWD']);
      layout.store(
        { dependency: 'redis', workload: { kind: 'StatefulSet', name: name('redis') }, uid: 999 },
        'data',
      );
    }
    if (bundled('minio')) {
      layout.seed('minio', 'root-password', objects.secret(name('minio'))?.['MINIO_ROOT_PASSWORD']);
      layout.store(
        { dependency: 'minio', workload: { kind: 'StatefulSet', name: name('minio') }, uid: 1000 },
        'data',
      );
      const user = objects.secret(name('minio'))?.['MINIO_ROOT_USER'];
      if (user && user !== 'berth-admin')
        layout.notes.push(
          `MinIO: berth's root user is berth-admin, the chart's was ${user}; the password is kept, buckets and objects stay on the volume (the chart ran MinIO as root: the files become writable to berth's uid 1000 through the volume's group)`,
        );
    }
    keepImage(layout, objects, 'gitaly', name('gitaly'));
    layout.store(
      { dependency: 'gitaly', workload: { kind: 'StatefulSet', name: name('gitaly') }, uid: 1000 },
      'data',
    );
    layout.notes.push(
      "Gitaly keeps the chart's image and runs as uid 1000 where the chart forced root: the repositories become writable through the volume's group; if Gitaly reports dubious ownership, chown them to 1000 once",
    );
    layout.seed('nats', 'password', objects.secret(name('nats'))?.['NATS_PASSWORD']);
    layout.store(
      { dependency: 'nats', workload: { kind: 'StatefulSet', name: name('nats') }, uid: 1000 },
      'data',
    );
    ingressNginx(layout, helm, objects);
    if (bundled('registry'))
      layout.notes.push(
        "space images: the chart's registry kept them in MinIO (bucket csghub-git, prefix docker/), berth's keeps them on its volume; they stay in MinIO and spaces rebuild their images",
      );
    return layout.build();
  },
};

/** Environment variables berth's workloads name the PostgreSQL user in. */
const DATABASE_USER_ENV = [
  'STARHUB_DATABASE_USERNAME',
  'CSGHUB_PORTAL_DATABASE_USERNAME',
  'DB_USERNAME',
  'PGUSER',
  'POSTGRES_USER',
];

function configValue(configMap: LiveObject, key: string): string | undefined {
  return (configMap.data as Record<string, string> | undefined)?.[key];
}

/**
 * Casdoor's data holds the chart's OAuth application (client id and secret) and the certificate it
 * signs with: berth's server and portal use the same, so sign-in keeps working.
 */
function casdoor(layout: LayoutBuilder, objects: ChartObjects, release: string): void {
  const config = objects.get('ConfigMap', `${release}-casdoor`);
  const clientId = config && configValue(config, 'STARHUB_SERVER_CASDOOR_CLIENT_ID');
  layout.seed(
    'app',
    'casdoor-client-secret',
    config && configValue(config, 'STARHUB_SERVER_CASDOOR_CLIENT_SECRET'),
  );
  if (objects.get('Secret', `${release}-casdoor`))
    layout.values.csghub = { casdoor: { jwtSecret: `${release}-casdoor` } };
  if (!clientId) return;
  layout.appEnv.STARHUB_SERVER_CASDOOR_CLIENT_ID = clientId;
  layout.values.patches = [
    {
      target: { kind: 'ConfigMap', name: `${release}-server` },
      patch: { data: { STARHUB_SERVER_CASDOOR_CLIENT_ID: clientId } },
    },
  ];
}

/**
 * The chart's bundled ingress-nginx is the platform's entry (its node ports, its TCP 22 to
 * gitlab-shell): it keeps running, without Helm, and serves berth's Ingresses; gitlab-shell stays
 * behind it rather than taking the SSH node port the controller holds.
 */
function ingressNginx(layout: LayoutBuilder, helm: HelmRelease, objects: ChartObjects): void {
  const fullname = helm.name.includes('ingress-nginx') ? helm.name : `${helm.name}-ingress-nginx`;
  if (!objects.get('Deployment', `${fullname}-controller`)) return;
  const className = String(at(helm.config, 'ingress-nginx.controller.ingressClassResource.name') ?? 'nginx');
  layout.leaveRunning.push(fullname, className);
  layout.values.ingress = { className };
  layout.values.services = { gitlabShell: { service: { type: 'ClusterIP' } } };
  layout.notes.push(
    `the chart's ingress-nginx (${fullname}-controller, class ${className}) keeps running without Helm and serves berth's Ingresses and Git over SSH; nothing upgrades it now: replace it with an ingress controller of your own when convenient`,
  );
}

/** The store runs the chart's image: the version whose files are on the volume. */
function keepImage(layout: LayoutBuilder, objects: ChartObjects, dependency: string, workload: string): void {
  const live = objects.get('StatefulSet', workload);
  const template = (live?.spec as { template?: { spec?: { containers?: { image?: string }[] } } } | undefined)
    ?.template;
  const image = template?.spec?.containers?.[0]?.image;
  const parsed = image ? /^(?<repository>[^@]+?)(?::(?<tag>[^:/@]+))?(?:@(?<digest>.+))?$/.exec(image) : null;
  if (!parsed?.groups) return;
  const { repository, tag, digest } = parsed.groups;
  const dependencies = (layout.values.dependencies ?? {}) as Record<string, unknown>;
  dependencies[dependency] = {
    image: { repository, ...(tag ? { tag } : {}), ...(digest ? { digest } : {}) },
  };
  layout.values.dependencies = dependencies;
}
