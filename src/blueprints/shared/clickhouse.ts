import type { RenderContext } from '../../render/context.ts';
import type { DependencyValues } from '../../values/vocabulary/index.ts';
import {
  type BundledDependency,
  dependencyCredentials,
  serviceHost,
  statefulDependency,
} from './dependency.ts';
import { type EnvSource, env } from './env.ts';

export interface ClickHouseConnection {
  readonly host: string;
  readonly httpPort: number;
  readonly nativePort: number;
  readonly database: string;
  readonly username: EnvSource;
  readonly password: EnvSource;
  readonly secure: boolean;
  /** Cluster name for replicated setups; empty for a single node. */
  readonly cluster: string;
}

/** `integrations.clickhouse` of any blueprint as a connection (TLS and cluster where the blueprint offers them). */
export function externalClickHouse(values: {
  readonly host: string;
  readonly httpPort: number;
  readonly nativePort: number;
  readonly database: string;
  readonly existingSecret: string;
  readonly secretKeys: { readonly username: string; readonly password: string };
  readonly secure?: boolean;
  readonly cluster?: string;
}): ClickHouseConnection {
  return {
    host: values.host,
    httpPort: values.httpPort,
    nativePort: values.nativePort,
    database: values.database,
    username: { secret: values.existingSecret, key: values.secretKeys.username },
    password: { secret: values.existingSecret, key: values.secretKeys.password },
    secure: values.secure ?? false,
    cluster: values.cluster ?? '',
  };
}

/** A bundled single-node ClickHouse with a generated password. */
export function bundledClickHouse(
  ctx: RenderContext,
  values: DependencyValues,
  options: { readonly username: string; readonly database: string; readonly allowFrom?: readonly string[] },
): BundledDependency<ClickHouseConnection> {
  const name = 'clickhouse';
  const credentials = dependencyCredentials(ctx, values, {
    name,
    generated: { password: { kind: 'alphanumeric', length: 32 } },
    fixed: { username: options.username },
  });
  const password = credentials.source('password');
  const component = statefulDependency({
    name,
    values,
    uid: 101,
    dataPath: '/var/lib/clickhouse',
    scratch: { logs: '/var/log/clickhouse-server' },
    ...(options.allowFrom ? { allowFrom: options.allowFrom } : {}),
    container: {
      name,
      env: [
        env('CLICKHOUSE_USER', options.username),
        env('CLICKHOUSE_PASSWORD', password),
        env('CLICKHOUSE_DB', options.database),
        env('CLICKHOUSE_DEFAULT_ACCESS_MANAGEMENT', '1'),
      ],
      ports: [
        { name: 'http', containerPort: 8123 },
        { name: 'native', containerPort: 9000 },
      ],
      probes: {
        readiness: { http: { path: '/ping', port: 'http' }, periodSeconds: 5 },
        liveness: {
          http: { path: '/ping', port: 'http' },
          initialDelaySeconds: 30,
          periodSeconds: 10,
          failureThreshold: 6,
        },
      },
    },
  });
  return {
    components: [component],
    secrets: credentials.secrets,
    connection: {
      host: serviceHost(ctx, name),
      httpPort: 8123,
      nativePort: 9000,
      database: options.database,
      username: { value: options.username },
      password,
      secure: false,
      cluster: '',
    },
  };
}
