import type { RenderContext } from '../../render/context.ts';
import type { DependencyValues } from '../../values/vocabulary/index.ts';
import {
  type BundledDependency,
  dependencyCredentials,
  serviceHost,
  statefulDependency,
} from './dependency.ts';
import { type EnvSource, env } from './env.ts';

export interface RedisConnection {
  readonly host: string;
  readonly port: number;
  readonly username: string;
  readonly password: EnvSource;
  readonly tls: boolean;
}

/** `integrations.redis` of any blueprint as a connection. */
export function externalRedis(values: {
  readonly host: string;
  readonly port: number;
  readonly username: string;
  readonly existingSecret: string;
  readonly secretKeys: { readonly password: string };
  readonly tls: { readonly enabled: boolean };
}): RedisConnection {
  return {
    host: values.host,
    port: values.port,
    username: values.username,
    password: { secret: values.existingSecret, key: values.secretKeys.password },
    tls: values.tls.enabled,
  };
}

/** A bundled Redis-compatible server (Valkey) with a generated password and append-only persistence. */
export function bundledRedis(
  ctx: RenderContext,
  values: DependencyValues,
  options: { readonly allowFrom?: readonly string[] } = {},
): BundledDependency<RedisConnection> {
  const name = 'redis';
  const credentials = dependencyCredentials(ctx, values, {
    name,
    generated: { password: { kind: 'alphanumeric', length: 32 } },
  });
  const password = credentials.source('password');
  const component = statefulDependency({
    name,
    values,
    uid: 999,
    dataPath: '/data',
    ...(options.allowFrom ? { allowFrom: options.allowFrom } : {}),
    container: {
      name,
      command: ['valkey-server'],
      // $(REDIS_PASSWORD) is expanded by the kubelet from the env below, so the password never sits in the spec.
      args: [
        '--requirepass',
        '$(REDIS_PASSWORD)',
        '--appendonly',
        'yes',
        '--dir',
        '/data',
        '--maxmemory-policy',
        'noeviction',
      ],
      env: [env('REDIS_PASSWORD', password)],
      ports: [{ name: 'redis', containerPort: 6379 }],
      probes: {
        readiness: { tcp: { port: 'redis' }, periodSeconds: 5 },
        liveness: { tcp: { port: 'redis' }, initialDelaySeconds: 15, periodSeconds: 10 },
      },
    },
  });
  return {
    components: [component],
    secrets: credentials.secrets,
    connection: { host: serviceHost(ctx, name), port: 6379, username: '', password, tls: false },
  };
}
