import { objectName, type RenderContext } from '../../render/context.ts';
import type { DependencyValues } from '../../values/vocabulary/index.ts';
import { type BundledDependency, serviceHost, statefulDependency } from './dependency.ts';
import { type EnvSource, env, literalEnv } from './env.ts';

export interface WeaviateConnection {
  /** HTTP endpoint, e.g. http://host:8080. */
  readonly endpoint: string;
  /** gRPC endpoint, e.g. grpc://host:50051. */
  readonly grpcEndpoint: string;
  readonly apiKey: EnvSource;
}

/**
 * A bundled single-node Weaviate with API-key authentication (anonymous access off) and no
 * vectorizer module: the application sends its own vectors.
 */
export function bundledWeaviate(
  ctx: RenderContext,
  values: DependencyValues,
  options: { readonly user: string; readonly allowFrom?: readonly string[] },
): BundledDependency<WeaviateConnection> {
  const name = 'weaviate';
  const apiKey: EnvSource = { secret: objectName(ctx, name), key: 'api-key' };
  const component = statefulDependency({
    name,
    values,
    uid: 1000,
    dataPath: '/var/lib/weaviate',
    ...(options.allowFrom ? { allowFrom: options.allowFrom } : {}),
    container: {
      name,
      env: [
        ...literalEnv({
          PERSISTENCE_DATA_PATH: '/var/lib/weaviate',
          QUERY_DEFAULTS_LIMIT: 25,
          DEFAULT_VECTORIZER_MODULE: 'none',
          CLUSTER_HOSTNAME: 'node1',
          AUTHENTICATION_ANONYMOUS_ACCESS_ENABLED: false,
          AUTHENTICATION_APIKEY_ENABLED: true,
        }),
        env('AUTHENTICATION_APIKEY_ALLOWED_KEYS', apiKey),
        ...literalEnv({
          AUTHENTICATION_APIKEY_USERS: options.user,
          AUTHORIZATION_ADMINLIST_ENABLED: true,
          AUTHORIZATION_ADMINLIST_USERS: options.user,
          DISABLE_TELEMETRY: true,
        }),
      ],
      ports: [
        { name: 'http', containerPort: 8080 },
        { name: 'grpc', containerPort: 50051 },
      ],
      probes: {
        readiness: { http: { path: '/v1/.well-known/ready', port: 'http' }, periodSeconds: 5 },
        liveness: {
          http: { path: '/v1/.well-known/live', port: 'http' },
          initialDelaySeconds: 30,
          periodSeconds: 10,
          failureThreshold: 6,
        },
      },
    },
  });
  const host = serviceHost(ctx, name);
  return {
    components: [component],
    secrets: [{ name, generated: { 'api-key': { kind: 'alphanumeric', length: 40 } } }],
    connection: { endpoint: `http://${host}:8080`, grpcEndpoint: `grpc://${host}:50051`, apiKey },
  };
}
