import { objectName, type RenderContext } from '../../render/context.ts';
import type { DependencyValues } from '../../values/vocabulary/index.ts';
import { type BundledDependency, serviceHost, statefulDependency } from './dependency.ts';
import { type EnvSource, env } from './env.ts';

export interface QdrantConnection {
  /** HTTP endpoint, e.g. http://host:6333. */
  readonly url: string;
  readonly grpcPort: number;
  readonly apiKey: EnvSource;
}

/** A bundled single-node Qdrant with a generated API key. */
export function bundledQdrant(
  ctx: RenderContext,
  values: DependencyValues,
  options: { readonly allowFrom?: readonly string[] } = {},
): BundledDependency<QdrantConnection> {
  const name = 'qdrant';
  const apiKey: EnvSource = { secret: objectName(ctx, name), key: 'api-key' };
  const component = statefulDependency({
    name,
    values,
    uid: 1000,
    dataPath: '/qdrant/storage',
    scratch: { snapshots: '/qdrant/snapshots' },
    ...(options.allowFrom ? { allowFrom: options.allowFrom } : {}),
    container: {
      name,
      env: [env('QDRANT__SERVICE__API_KEY', apiKey), env('QDRANT__TELEMETRY_DISABLED', 'true')],
      ports: [
        { name: 'http', containerPort: 6333 },
        { name: 'grpc', containerPort: 6334 },
      ],
      probes: {
        readiness: { http: { path: '/readyz', port: 'http' }, periodSeconds: 5 },
        liveness: {
          http: { path: '/livez', port: 'http' },
          initialDelaySeconds: 15,
          periodSeconds: 10,
          failureThreshold: 6,
        },
      },
    },
  });
  return {
    components: [component],
    secrets: [{ name, generated: { 'api-key': { kind: 'alphanumeric', length: 40 } } }],
    connection: { url: `http://${serviceHost(ctx, name)}:6333`, grpcPort: 6334, apiKey },
  };
}
