import type { RenderContext } from '../../render/context.ts';
import type { DependencyValues } from '../../values/vocabulary/index.ts';
import {
  type BundledDependency,
  dependencyCredentials,
  serviceHost,
  statefulDependency,
} from './dependency.ts';
import type { EnvSource } from './env.ts';
import { env } from './env.ts';

export interface PostgresConnection {
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly username: EnvSource;
  readonly password: EnvSource;
  /** Extra connection parameters (`sslmode=require`), without the leading `?`. */
  readonly args: string;
}

export interface ExternalPostgres {
  readonly existingSecret: string;
  readonly secretKeys: { readonly username: string; readonly password: string };
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly args?: string;
}

export function externalPostgres(values: ExternalPostgres): PostgresConnection {
  return {
    host: values.host,
    port: values.port,
    database: values.database,
    username: { secret: values.existingSecret, key: values.secretKeys.username },
    password: { secret: values.existingSecret, key: values.secretKeys.password },
    args: values.args ?? '',
  };
}

/** A bundled single-instance PostgreSQL with a generated password. */
export function bundledPostgres(
  ctx: RenderContext,
  values: DependencyValues,
  options: { readonly database: string; readonly username: string; readonly allowFrom?: readonly string[] },
): BundledDependency<PostgresConnection> {
  const name = 'postgresql';
  const credentials = dependencyCredentials(ctx, values, {
    name,
    generated: { password: { kind: 'alphanumeric', length: 32 } },
    fixed: { username: options.username },
  });
  const password = credentials.source('password');
  const component = statefulDependency({
    name,
    values,
    uid: 70,
    dataPath: '/var/lib/postgresql/data',
    scratch: { run: '/var/run/postgresql', tmp: '/tmp' },
    ...(options.allowFrom ? { allowFrom: options.allowFrom } : {}),
    container: {
      name,
      env: [
        env('POSTGRES_USER', options.username),
        env('POSTGRES_PASSWORD', password),
        env('POSTGRES_DB', options.database),
        env('PGDATA', '/var/lib/postgresql/data/pgdata'),
      ],
      ports: [{ name: 'postgresql', containerPort: 5432 }],
      probes: {
        readiness: {
          exec: ['pg_isready', '-h', '127.0.0.1', '-U', options.username, '-d', options.database],
          periodSeconds: 5,
        },
        liveness: {
          exec: ['pg_isready', '-h', '127.0.0.1', '-U', options.username],
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
      port: 5432,
      database: options.database,
      username: { value: options.username },
      password,
      args: '',
    },
  };
}
