import type { RenderContext } from '../../render/context.ts';
import type { ComponentSpec } from '../../render/model.ts';
import type { DependencyValues } from '../../values/vocabulary/index.ts';
import {
  type BundledDependency,
  dependencyCredentials,
  serviceHost,
  statefulDependency,
} from './dependency.ts';
import { type EnvSource, env } from './env.ts';

export interface S3Connection {
  readonly endpoint: string;
  readonly region: string;
  readonly forcePathStyle: boolean;
  readonly accessKey: EnvSource;
  readonly secretKey: EnvSource;
}

export interface BucketSpec {
  readonly name: string;
  /**
   * Anonymous access: `private` (none) or `public-read` (anyone may download, only credentials
   * write). Unset leaves the bucket as MinIO creates it (private) and needs no policy Job.
   */
  readonly access?: 'private' | 'public-read';
}

/** MinIO client alias the bucket Job uses (configured through MC_HOST_<alias>, no config file). */
const MC_ALIAS = 'berth';

/**
 * The idempotent Job that sets bucket policies with `mc`. It runs the MinIO server image, which
 * ships the `mc` client (/usr/bin/mc), so air-gapped clusters mirror no extra image.
 */
function bucketPolicyJob(
  ctx: RenderContext,
  values: DependencyValues,
  buckets: readonly BucketSpec[],
  credentials: { readonly accessKey: EnvSource; readonly secretKey: EnvSource },
): ComponentSpec {
  const host = `${serviceHost(ctx, 'minio')}:9000`;
  const lines = [
    'set -e',
    `for i in $(seq 1 60); do mc ready ${MC_ALIAS} && break; sleep 2; done`,
    ...buckets.flatMap((bucket) => [
      `mc mb --ignore-existing ${MC_ALIAS}/${bucket.name}`,
      `mc anonymous set ${bucket.access === 'public-read' ? 'download' : 'private'} ${MC_ALIAS}/${bucket.name}`,
    ]),
  ];
  return {
    name: 'minio-buckets',
    stage: 'migrations',
    kind: 'Job',
    replicas: 1,
    backoffLimit: 6,
    containers: [
      {
        name: 'mc',
        image: values.image,
        command: ['/bin/sh', '-c'],
        args: [lines.join('\n')],
        env: [
          env('MINIO_ROOT_USER', credentials.accessKey),
          env('MINIO_ROOT_PASSWORD', credentials.secretKey),
          env(`MC_HOST_${MC_ALIAS}`, `http://$(MINIO_ROOT_USER):$(MINIO_ROOT_PASSWORD)@${host}`),
          env('HOME', '/tmp'),
        ],
        resources: { requests: { cpu: '10m', memory: '32Mi' }, limits: { memory: '128Mi' } },
      },
    ],
    scheduling: values,
    podSecurity: { runAsUser: 1000, runAsGroup: 1000 },
  };
}

/**
 * A bundled single-node MinIO with generated root credentials. Buckets are created the way the
 * platforms' own compose files do it: as top-level folders of the data volume, made before the
 * server starts (idempotent, and no extra image to mirror for air-gapped clusters). Buckets that
 * declare an `access` also get their anonymous policy set by a Job in the migrations stage.
 */
export function bundledMinio(
  ctx: RenderContext,
  values: DependencyValues,
  options: { readonly buckets: readonly BucketSpec[]; readonly allowFrom?: readonly string[] },
): BundledDependency<S3Connection> {
  const name = 'minio';
  const credentials = dependencyCredentials(ctx, values, {
    name,
    generated: { 'root-password': { kind: 'alphanumeric', length: 40 } },
    fixed: { 'root-user': 'berth-admin' },
  });
  const accessKey = credentials.source('root-user');
  const secretKey = credentials.source('root-password');
  const folders = options.buckets.map((b) => `/data/${b.name}`).join(' ');
  const withPolicy = options.buckets.filter((b) => b.access !== undefined);
  const policyJob = withPolicy.length
    ? bucketPolicyJob(ctx, values, withPolicy, { accessKey, secretKey })
    : undefined;
  const allowFrom =
    options.allowFrom && policyJob ? [...options.allowFrom, policyJob.name] : options.allowFrom;
  const server = statefulDependency({
    name,
    values,
    uid: 1000,
    dataPath: '/data',
    ...(allowFrom ? { allowFrom } : {}),
    container: {
      name,
      command: ['/bin/sh', '-c'],
      args: [`mkdir -p ${folders} && exec minio server /data --address :9000 --console-address :9001`],
      env: [env('MINIO_ROOT_USER', accessKey), env('MINIO_ROOT_PASSWORD', secretKey), env('HOME', '/tmp')],
      ports: [
        { name: 's3', containerPort: 9000 },
        { name: 'console', containerPort: 9001 },
      ],
      probes: {
        readiness: { http: { path: '/minio/health/ready', port: 's3' }, periodSeconds: 5 },
        liveness: {
          http: { path: '/minio/health/live', port: 's3' },
          initialDelaySeconds: 15,
          periodSeconds: 10,
        },
      },
    },
  });
  return {
    components: policyJob ? [server, policyJob] : [server],
    secrets: credentials.secrets,
    connection: {
      endpoint: `http://${serviceHost(ctx, name)}:9000`,
      region: 'us-east-1',
      forcePathStyle: true,
      accessKey,
      secretKey,
    },
  };
}
