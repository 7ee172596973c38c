import { objectName, type RenderContext } from '../../render/context.ts';
import type { DependencyValues } from '../../values/vocabulary/index.ts';
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
}

/**
 * A bundled single-node MinIO with generated root credentials. Buckets are created the way the
 * platforms' own compose files do it: as top-level folders of the data volume, made before the
 * server starts (idempotent, and no extra image to mirror for air-gapped clusters).
 */
export function bundledMinio(
  ctx: RenderContext,
  values: DependencyValues,
  options: { readonly buckets: readonly BucketSpec[]; readonly allowFrom?: readonly string[] },
): BundledDependency<S3Connection> {
  const name = 'minio';
  const secret = objectName(ctx, name);
  const accessKey: EnvSource = { secret, key: 'root-user' };
  const secretKey: EnvSource = { secret, key: 'root-password' };
  const folders = options.buckets.map((b) => `/data/${b.name}`).join(' ');
  const server = statefulDependency({
    name,
    values,
    uid: 1000,
    dataPath: '/data',
    ...(options.allowFrom ? { allowFrom: options.allowFrom } : {}),
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
    components: [server],
    secrets: [
      {
        name,
        generated: { 'root-password': { kind: 'alphanumeric', length: 40 } },
        fixed: { 'root-user': 'berth-admin' },
      },
    ],
    connection: {
      endpoint: `http://${serviceHost(ctx, name)}:9000`,
      region: 'us-east-1',
      forcePathStyle: true,
      accessKey,
      secretKey,
    },
  };
}
