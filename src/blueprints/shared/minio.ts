import { objectName, type RenderContext } from '../../render/context.ts';
import type { ComponentSpec } from '../../render/model.ts';
import type { DependencyValues, ImageValues } from '../../values/vocabulary/index.ts';
import { type BundledDependency, serviceHost, statefulDependency } from './dependency.ts';
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
  /** `download`: anyone may read objects (a public bucket); `none`: private. */
  readonly anonymous?: 'none' | 'download';
}

export const MINIO_CLIENT_IMAGE = { repository: 'minio/mc', tag: 'RELEASE.2025-07-21T05-28-08Z' } as const;

/**
 * A bundled single-node MinIO with generated root credentials, and a Job (stage `migrations`, after
 * MinIO is ready) that creates the buckets and sets their access policy; it is idempotent.
 */
export function bundledMinio(
  ctx: RenderContext,
  values: DependencyValues,
  options: {
    readonly buckets: readonly BucketSpec[];
    readonly clientImage: ImageValues;
    readonly allowFrom?: readonly string[];
  },
): BundledDependency<S3Connection> {
  const name = 'minio';
  const secret = objectName(ctx, name);
  const accessKey: EnvSource = { secret, key: 'root-user' };
  const secretKey: EnvSource = { secret, key: 'root-password' };
  const server = statefulDependency({
    name,
    values,
    uid: 1000,
    dataPath: '/data',
    ...(options.allowFrom ? { allowFrom: [...options.allowFrom, 'minio-buckets'] } : {}),
    container: {
      name,
      command: ['minio'],
      args: ['server', '/data', '--address', ':9000', '--console-address', ':9001'],
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
  const endpoint = `http://${serviceHost(ctx, name)}:9000`;
  const script = [
    'set -e',
    `mc alias set berth "${endpoint}" "$MINIO_ROOT_USER" "$MINIO_ROOT_PASSWORD"`,
    ...options.buckets.flatMap((b) => [
      `mc mb --ignore-existing "berth/${b.name}"`,
      `mc anonymous set ${b.anonymous ?? 'none'} "berth/${b.name}"`,
    ]),
  ].join('\n');
  const bucketJob: ComponentSpec = {
    name: 'minio-buckets',
    stage: 'migrations',
    kind: 'Job',
    replicas: 1,
    backoffLimit: 6,
    containers: [
      {
        name: 'buckets',
        image: options.clientImage,
        command: ['/bin/sh', '-c', script],
        env: [
          env('MINIO_ROOT_USER', accessKey),
          env('MINIO_ROOT_PASSWORD', secretKey),
          env('MC_CONFIG_DIR', '/tmp/.mc'),
        ],
        resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '128Mi' } },
      },
    ],
    scheduling: values,
    podSecurity: { runAsUser: 1000, runAsGroup: 1000 },
  };
  return {
    components: [server, bucketJob],
    secrets: [
      {
        name,
        generated: { 'root-password': { kind: 'alphanumeric', length: 40 } },
        fixed: { 'root-user': 'berth-admin' },
      },
    ],
    connection: { endpoint, region: 'us-east-1', forcePathStyle: true, accessKey, secretKey },
  };
}
