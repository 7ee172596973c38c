/**
 * The Jobs that back up and restore one store: the store's own image runs the script
 * (commands.ts) with the release's credentials by Secret reference; an S3 target adds a transfer
 * container (`mc`, from the MinIO image) that uploads or downloads the files.
 */
import { createHash } from 'node:crypto';
import { containerSecurityContext } from '../render/policies.ts';
import { ENV, type Operation, storeScript, transferScript } from './commands.ts';
import type { Setting, Store } from './stores.ts';
import type { Target } from './target.ts';

export interface StoreJobInput {
  readonly release: string;
  readonly namespace: string;
  readonly store: Store;
  readonly operation: Operation;
  readonly target: Target;
  /** The backup id; undefined in a CronJob, where each run takes its Job's name. */
  readonly id: string | undefined;
  /** Image with the `mc` client, for S3 transfers. */
  readonly transferImage: string;
}

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: object;
}

export const BACKUP_LABEL = 'berth.dev/backup';
const MOUNT = '/backup';

function envOf(name: string, setting: Setting): EnvVar {
  return 'value' in setting
    ? { name, value: setting.value }
    : { name, valueFrom: { secretKeyRef: setting.secretKeyRef } };
}

/** `<release>/<id>/<component>`: where one store's part of a backup lives under the target. */
export function storePath(release: string, id: string, component: string): string {
  return `${release}/${id}/${component}`;
}

function idEnv(id: string | undefined): EnvVar {
  return id
    ? { name: 'BACKUP_ID', value: id }
    : { name: 'BACKUP_ID', valueFrom: { fieldRef: { fieldPath: "metadata.labels['job-name']" } } };
}

function s3Env(target: Extract<Target, { kind: 's3' }>, path: string): EnvVar[] {
  const { s3 } = target;
  const url = new URL(s3.endpoint);
  const secret = (key: string) => ({ secretKeyRef: { name: s3.existingSecret, key } });
  const objectPath = [target.bucket, target.prefix, path].filter(Boolean).join('/');
  return [
    { name: ENV.s3.accessKey, valueFrom: secret(s3.secretKeys.accessKey) },
    { name: ENV.s3.secretKey, valueFrom: secret(s3.secretKeys.secretKey) },
    {
      name: ENV.s3.alias,
      value: `${url.protocol}//$(${ENV.s3.accessKey}):$(${ENV.s3.secretKey})@${url.host}`,
    },
    { name: ENV.s3.path, value: objectPath },
    { name: ENV.s3.url, value: `${s3.endpoint.replace(/\/$/, '')}/${objectPath}` },
  ];
}

function connectionEnv(store: Store): EnvVar[] {
  switch (store.kind) {
    case 'postgresql':
      return [
        { name: ENV.postgres.host, value: store.host },
        { name: ENV.postgres.port, value: String(store.port) },
        envOf(ENV.postgres.user, store.user),
        envOf(ENV.postgres.password, store.password),
      ];
    case 'clickhouse':
      return [
        { name: ENV.clickhouse.host, value: store.host },
        { name: ENV.clickhouse.port, value: String(store.port) },
        envOf(ENV.clickhouse.user, store.user),
        envOf(ENV.clickhouse.password, store.password),
        { name: ENV.clickhouse.database, value: store.database },
      ];
    case 'minio':
      return [
        envOf('SRC_ACCESS_KEY', store.accessKey),
        envOf('SRC_SECRET_KEY', store.secretKey),
        {
          name: ENV.minio.source,
          value: `http://$(SRC_ACCESS_KEY):$(SRC_SECRET_KEY)@${store.host}:${store.port}`,
        },
        { name: ENV.minio.buckets, value: store.buckets.join(' ') },
      ];
    case 'redis':
      return [
        { name: ENV.redis.host, value: store.host },
        { name: ENV.redis.port, value: String(store.port) },
        ...(store.password ? ENV.redis.password.map((name) => envOf(name, store.password!)) : []),
      ];
  }
}

/** The production policy's container security context (src/render/policies.ts), as the store's user. */
function securityContext(uid: number) {
  return containerSecurityContext({ runAsUser: uid, readOnlyRootFilesystem: true });
}

const RESOURCES = { requests: { cpu: '50m', memory: '128Mi' }, limits: { memory: '1Gi' } };
const MOUNTS = [
  { name: 'backup', mountPath: MOUNT },
  { name: 'tmp', mountPath: '/tmp' },
];

function container(name: string, image: string, uid: number, script: string, env: EnvVar[]) {
  return {
    name,
    image,
    command: ['/bin/sh', '-c', script],
    env: [...env, { name: 'HOME', value: '/tmp' }],
    resources: RESOURCES,
    securityContext: securityContext(uid),
    volumeMounts: MOUNTS,
    terminationMessagePolicy: 'File',
  };
}

/**
 * Pod template of a store's Job. Its containers are `backup`/`restore` (the store's image), with
 * `upload` after or `download` before it for S3 targets where the store writes files.
 */
export function storePodSpec(input: StoreJobInput) {
  const { store, operation, target } = input;
  const path = storePath(input.release, '$(BACKUP_ID)', store.component);
  // ClickHouse (BACKUP ... TO S3) and MinIO (bucket to bucket) reach S3 themselves; the others write files.
  const streamsItself = target.kind === 's3' && (store.kind === 'clickhouse' || store.kind === 'minio');
  const localDir =
    target.kind === 'pvc'
      ? `${MOUNT}/${path}`
      : store.kind === 'minio'
        ? `dst/${target.bucket}/${[target.prefix, path].filter(Boolean).join('/')}`
        : `${MOUNT}/${store.component}`;
  const env: EnvVar[] = [
    idEnv(input.id),
    { name: ENV.dir, value: localDir },
    { name: ENV.result, value: '/dev/termination-log' },
    ...connectionEnv(store),
    ...(target.kind === 's3' ? s3Env(target, path) : []),
  ];
  // A Redis copy goes back into the stopped server's data volume.
  const data = operation === 'restore' && store.kind === 'redis' ? store.data : undefined;
  const main = container(
    operation,
    store.image,
    store.uid,
    storeScript(store.kind, operation, target.kind),
    data ? [...env, { name: ENV.redis.data, value: data.mountPath }] : env,
  );
  if (data) main.volumeMounts = [...MOUNTS, { name: 'data', mountPath: data.mountPath }];
  const transfer =
    target.kind === 's3' && !streamsItself
      ? container(
          operation === 'backup' ? 'upload' : 'download',
          input.transferImage,
          1000,
          transferScript(operation === 'backup' ? 'upload' : 'download'),
          env,
        )
      : undefined;
  const [initContainers, containers] =
    transfer === undefined
      ? [[], [main]]
      : operation === 'backup'
        ? [[main], [transfer]]
        : [[transfer], [main]];
  return {
    restartPolicy: 'Never',
    automountServiceAccountToken: false,
    securityContext: { fsGroup: 1000, runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
    ...(input.store.imagePullSecrets.length
      ? { imagePullSecrets: input.store.imagePullSecrets.map((ref) => ({ ...ref })) }
      : {}),
    ...(initContainers.length ? { initContainers } : {}),
    containers,
    volumes: [
      target.kind === 'pvc'
        ? { name: 'backup', persistentVolumeClaim: { claimName: target.claim } }
        : { name: 'backup', emptyDir: {} },
      { name: 'tmp', emptyDir: {} },
      ...(data ? [{ name: 'data', persistentVolumeClaim: { claimName: data.claim } }] : []),
    ],
  };
}

/** The name of one store's container in a scheduled run's pod: `backup-postgresql`, `upload-postgresql`. */
export function stepName(container: string, component: string): string {
  return `${container}-${component}`;
}

/**
 * One pod that backs up every store in turn (a scheduled run, so the run has one id and one
 * record): each store's containers, named after it, in order; all but the last run as init
 * containers, so the first failure stops the run as it stops `berth backup`.
 */
export function runPodSpec(inputs: readonly [StoreJobInput, ...StoreJobInput[]]) {
  const specs = inputs.map((input) => ({ component: input.store.component, spec: storePodSpec(input) }));
  const steps = specs.flatMap(({ component, spec }) =>
    [...(spec.initContainers ?? []), ...spec.containers].map((c) => ({
      ...c,
      name: stepName(c.name, component),
    })),
  );
  const { initContainers: _, ...first } = specs[0]!.spec;
  return {
    ...first,
    ...(steps.length > 1 ? { initContainers: steps.slice(0, -1) } : {}),
    containers: steps.slice(-1),
  };
}

/** A Kubernetes name from parts, kept under `max` characters with a hash when it is too long. */
export function kubeName(parts: readonly string[], max = 63): string {
  const name = parts.join('-');
  if (name.length <= max) return name;
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 8);
  return `${name.slice(0, max - 9).replace(/-+$/, '')}-${hash}`;
}

export function storeLabels(
  release: string,
  id: string | undefined,
  operation: Operation,
  blueprint?: string,
): Record<string, string> {
  return {
    ...(blueprint ? { 'app.kubernetes.io/name': blueprint } : {}),
    'app.kubernetes.io/instance': release,
    'app.kubernetes.io/component': operation,
    'app.kubernetes.io/managed-by': 'berth',
    ...(id ? { [BACKUP_LABEL]: id } : {}),
  };
}

/** The Job that runs `operation` for one store of backup `id`. */
export function storeJob(input: StoreJobInput & { readonly id: string }) {
  const labels = {
    ...storeLabels(input.release, input.id, input.operation, input.store.blueprint),
    'berth.dev/store': input.store.component,
  };
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: kubeName([input.release, input.operation, input.id, input.store.component]),
      namespace: input.namespace,
      labels,
    },
    spec: {
      backoffLimit: 0,
      ttlSecondsAfterFinished: 7 * 24 * 3600,
      template: { metadata: { labels }, spec: storePodSpec(input) },
    },
  };
}
