/**
 * SwanHubX/charts `charts/self-hosted` 0.3.x (appVersion 2.7.0, tag self-hosted-0.3.0, as berth's
 * blueprint pins), read from its templates:
 *
 * - Names (`_helpers.tpl`): the fullname is `fullnameOverride`, else the release name when it
 *   contains the chart name (`nameOverride` or `self-hosted`), else `<release>-self-hosted`, cut at
 *   40 characters; every part is `<fullname>-<part>` (cut at 40) unless its own `fullnameOverride`
 *   is set. Selector labels: `app.kubernetes.io/{provider: swanlab, name: <chart>, instance:
 *   <release>, component: <chart>-<part>}`.
 * - Stores (`templates/<store>/{deployment,pvc,secret}.yaml`): each a single-replica Deployment
 *   `<fullname>-<store>` (strategy Recreate) mounting the claim `<name>-pvc` (or the store's
 *   `persistence.existingClaim`), with a Secret `<name>-credentials`:
 *   PostgreSQL `postgres`: mounted at /var/lib/postgresql, PGDATA /var/lib/postgresql/data, chowned
 *   to 999:999 by an init container (fsGroup 999); Secret keys username, password (defaults
 *   swanlab / swanlab-postgres), primaryUrl, replicaUrl; database `app`.
 *   Redis Stack `redis`: data at the volume root (/data), the image's own user (root), no password;
 *   Secret key url only.
 *   ClickHouse `clickhouse`: /var/lib/clickhouse, the image drops to uid 101; Secret keys username,
 *   password (defaults swanlab / swanlab-clickhouse).
 *   MinIO `s3`: `server /data`, the image's own user (root); Secret keys accessKey, secretKey
 *   (defaults swanlab / swanlab-s3); a Job `<name>-init-buckets` makes swanlab-public/-private.
 * - Applications (`templates/swanlab-*`): server, cloud, next and the gateway (named `<fullname>`)
 *   are Deployments; house is a StatefulSet `<fullname>-house` with the claim template `house`
 *   (metrics log buffer at /data that Fluent Bit ships to ClickHouse). The server reads
 *   DATABASE_URL (the PostgreSQL user, password and database), REDIS_URL, ACCESS_KEY and SECRET_KEY
 *   (the MinIO root user and password); house SH_DB_USERNAME and SH_DB_PASSWORD (ClickHouse). There
 *   is no application secret of its own: berth's SwanLab generates only the stores' passwords.
 */
import { BerthError } from '../../errors.ts';
import type { HelmRelease } from '../helm-record.ts';
import { at, type ChartObjects, type ChartProfile, LayoutBuilder, resolvedEnv } from './profile.ts';

const STORES = ['postgres', 'redis', 'clickhouse', 's3'] as const;
type Store = (typeof STORES)[number];

/** Helm's `trunc 40 | trimSuffix "-"`. */
const cut = (name: string) => name.slice(0, 40).replace(/-$/, '');

/** The chart's object names for this release, per its `_helpers.tpl`. */
export function swanlabNames(helm: HelmRelease) {
  const chart = String(at(helm.config, 'nameOverride') || helm.chart.name);
  const override = at(helm.config, 'fullnameOverride');
  const fullname = override
    ? cut(String(override))
    : cut(helm.name.includes(chart) ? helm.name : `${helm.name}-${chart}`);
  const part = (path: string, suffix: string) => {
    const own = at(helm.config, `${path}.fullnameOverride`);
    return own ? cut(String(own)) : cut(`${fullname}-${suffix}`);
  };
  return {
    fullname,
    store: (store: Store) => part(`dependencies.${store}`, store),
    server: part('service.server', 'server'),
    house: part('service.house', 'house'),
  };
}

/**
 * The berth component of each store, where the chart's image keeps its data, and the uid berth runs
 * it as: the owner of the chart's files, or berth's own when the chart ran the image as root.
 */
const LAYOUT: Record<
  Store,
  { component: string; uid: number; mountPath?: string; env?: Record<string, string>; chartRanAs?: 'root' }
> = {
  postgres: {
    component: 'postgresql',
    uid: 999,
    mountPath: '/var/lib/postgresql',
    env: { PGDATA: '/var/lib/postgresql/data' },
  },
  // The chart's Redis Stack saves RDB snapshots only: append-only stays off, else Redis would
  // start from an empty append-only file instead of the snapshot.
  redis: {
    component: 'redis',
    uid: 999,
    env: { REDIS_ARGS: '--requirepass $(REDIS_PASSWORD)' },
    chartRanAs: 'root',
  },
  clickhouse: { component: 'clickhouse', uid: 101 },
  s3: { component: 'minio', uid: 1000, chartRanAs: 'root' },
};

const CHART_DEFAULTS = { postgres: 'swanlab-postgres', clickhouse: 'swanlab-clickhouse', s3: 'swanlab-s3' };

function workloadEnv(objects: ChartObjects, kind: string, name: string, release: string) {
  const workload = objects.get(kind, name);
  if (!workload) {
    throw new BerthError(
      'BERTH_ADOPT_CHART',
      `Helm release ${release}: the chart's ${kind} ${name} is missing, so the credentials the install runs with cannot be read`,
    );
  }
  return resolvedEnv(workload, objects);
}

function postgresUrl(url: string | undefined) {
  try {
    const parsed = url ? new URL(url) : undefined;
    return (
      parsed && { user: decodeURIComponent(parsed.username), password: decodeURIComponent(parsed.password) }
    );
  } catch {
    return undefined;
  }
}

export const swanlabSelfHosted: ChartProfile = {
  blueprint: 'swanlab',
  chart: 'self-hosted',
  versions: '0.3.x (SwanLab 2.7)',
  accepts: (version) => /^v?0\.3\.\d+/.test(version),
  layout(helm, objects) {
    const release = helm.name;
    const names = swanlabNames(helm);
    const server = workloadEnv(objects, 'Deployment', names.server, release);
    const house = workloadEnv(objects, 'StatefulSet', names.house, release);
    const bundled = (store: Store) => at(helm.config, `integrations.${store}.enabled`) !== true;
    const layout = new LayoutBuilder(release, objects);
    const kept: Partial<Record<keyof typeof CHART_DEFAULTS, string>> = {};
    // A store opened with a fresh password would not let the applications in: no guessing.
    const required = (store: Store, value: string | undefined, from: string) => {
      if (value) return value;
      throw new BerthError(
        'BERTH_ADOPT_CHART',
        `Helm release ${release}: the ${store} password cannot be read from ${from} (its Secret is missing or incomplete), and berth will not start the store on its data with a new one`,
      );
    };

    if (bundled('postgres')) {
      const url = postgresUrl(server.get('DATABASE_URL'));
      if (url && url.user !== 'swanlab')
        throw new BerthError(
          'BERTH_ADOPT_CHART',
          `Helm release ${release}: the chart's PostgreSQL role is ${url.user} (dependencies.postgres.username); berth's SwanLab connects as swanlab, and roles live in the data`,
          {
            hint: 'rename the role to swanlab (ALTER ROLE … RENAME TO swanlab, then set its password again), update the chart install, then adopt',
          },
        );
      kept.postgres = required('postgres', url?.password, `${names.server} DATABASE_URL`);
      layout.seed('postgresql', 'password', kept.postgres);
    }
    if (bundled('clickhouse')) {
      kept.clickhouse = required('clickhouse', house.get('SH_DB_PASSWORD'), `${names.house} SH_DB_PASSWORD`);
      layout.seed('clickhouse', 'password', kept.clickhouse);
    }
    if (bundled('s3')) {
      kept.s3 = required('s3', server.get('SECRET_KEY'), `${names.server} SECRET_KEY`);
      layout.seed('minio', 'root-password', kept.s3);
      const user = server.get('ACCESS_KEY');
      if (user && user !== 'berth-admin')
        layout.notes.push(
          `MinIO: berth's root user is berth-admin, the chart's was ${user}; the password is kept, buckets and objects stay on the volume`,
        );
    }
    if (bundled('redis'))
      layout.notes.push(
        "Redis: the chart ran it without a password; berth's Redis requires its generated one (only SwanLab's own components connect)",
      );
    for (const store of STORES.filter(bundled)) {
      const { component, chartRanAs: _, ...where } = LAYOUT[store];
      layout.store(
        {
          dependency: store,
          component,
          workload: { kind: 'Deployment', name: names.store(store) },
          ...where,
        },
        '',
      );
    }
    const atChartDefault = (Object.keys(CHART_DEFAULTS) as (keyof typeof CHART_DEFAULTS)[]).filter(
      (store) => kept[store] === CHART_DEFAULTS[store],
    );
    if (atChartDefault.length)
      layout.notes.push(
        `${atChartDefault.join(', ')}: the install runs with the chart's default password, which anyone can read in the chart; berth keeps it so the data opens — change it in the store`,
      );
    const asRoot = layout.stores.filter((s) => LAYOUT[s.dependency as Store].chartRanAs === 'root');
    if (asRoot.length)
      layout.notes.push(
        `${asRoot.map((s) => `${s.dependency} (berth: uid ${s.uid})`).join(', ')} ran as root in the chart: berth reaches the chart's files through fsGroup (volumes that ignore fsGroup, such as NFS or hostPath, need a chown first)`,
      );
    if (names.house !== `${release}-house`)
      layout.notes.push(
        `SwanLab-House: the claims house-${names.house}-N (its metrics log buffer, already shipped to ClickHouse) stay in place unused; berth's house starts with new ones`,
      );
    return layout.build();
  },
};
