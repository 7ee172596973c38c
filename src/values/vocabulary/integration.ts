import { z } from 'zod';
import { port } from './primitives.ts';

/**
 * `integrations.<dep>.*`: use an external service instead of the bundled one. Credentials always come
 * from an existing Secret (never from values); `secretKeys` maps what berth reads to the Secret's keys.
 * A blueprint spreads `integrationFields(...)` into its own `z.strictObject` and adds
 * `.superRefine(requireExistingSecret)`.
 */
export function integrationFields<const Key extends string>(
  description: string,
  secretKeys: Record<Key, string>,
) {
  const keyShape: Record<string, z.ZodDefault<z.ZodString>> = {};
  for (const [name, key] of Object.entries<string>(secretKeys)) {
    keyShape[name] = z.string().min(1).default(key).describe(`Key of the Secret that holds the ${name}.`);
  }
  return {
    enabled: z.boolean().default(false).describe(description),
    existingSecret: z
      .string()
      .default('')
      .describe('Name of an existing Secret in the release namespace that holds the credentials.'),
    secretKeys: z
      .strictObject(keyShape)
      .prefault({})
      .describe('Keys of the existing Secret.') as unknown as z.ZodPrefault<
      z.ZodType<Record<Key, string>, Partial<Record<Key, string>>>
    >,
  };
}

export function requireExistingSecret(
  value: { readonly enabled: boolean; readonly existingSecret: string },
  ctx: z.RefinementCtx,
): void {
  if (value.enabled && value.existingSecret === '') {
    ctx.addIssue({
      code: 'custom',
      path: ['existingSecret'],
      message: 'required when enabled is true (the name of a Secret that holds the credentials)',
    });
  }
}

/** host/port of an external service; the host is required once the integration is enabled. */
export function endpointFields(defaultPort: number) {
  return {
    host: z.string().default('').describe('Host name of the external service.'),
    port: port.default(defaultPort).describe('Port of the external service.'),
  };
}

export function requireHost(
  value: { readonly enabled: boolean; readonly host: string },
  ctx: z.RefinementCtx,
): void {
  if (value.enabled && value.host === '') {
    ctx.addIssue({ code: 'custom', path: ['host'], message: 'required when enabled is true' });
  }
}

/** `integrations.postgresql` fields shared by every blueprint: credentials (`username`, `password`) and endpoint. */
export function postgresIntegrationFields() {
  return {
    ...integrationFields('Use an external PostgreSQL instead of the bundled one.', {
      username: 'username',
      password: 'password',
    }),
    ...endpointFields(5432),
  };
}

/** `tls.enabled`; a bare `true`/`false` (an earlier spelling) means the same. */
const tlsSwitch = (description: string) =>
  z.preprocess(
    (value) => (typeof value === 'boolean' ? { enabled: value } : value),
    z
      .strictObject({ enabled: z.boolean().default(false).describe(description) })
      .prefault({})
      .describe('TLS to the service.'),
  );

/** `integrations.redis` fields shared by every blueprint: the `password` key, the endpoint, the ACL user and TLS. */
export function redisIntegrationFields() {
  return {
    ...integrationFields('Use an external Redis instead of the bundled one.', { password: 'password' }),
    ...endpointFields(6379),
    username: z.string().default('').describe('Redis ACL user name; empty for the default user.'),
    tls: tlsSwitch('Connect with TLS.'),
  };
}

/**
 * `integrations.clickhouse` fields shared by every blueprint: credentials, host, the HTTP port and
 * the native-protocol port (`nativePort`, 9000), and the database.
 */
export function clickhouseIntegrationFields(database: string) {
  return {
    ...integrationFields('Use an external ClickHouse instead of the bundled one.', {
      username: 'username',
      password: 'password',
    }),
    host: z.string().default('').describe('ClickHouse host name.'),
    httpPort: port.default(8123).describe('HTTP port.'),
    nativePort: port.default(9000).describe('Native protocol (TCP) port.'),
    database: z.string().min(1).default(database).describe('Database name.'),
  };
}

/**
 * An external service's values object: defaults filled in, and `existingSecret` and `host` required
 * once it is enabled.
 */
export function externalServiceSchema<const Shape extends z.ZodRawShape>(shape: Shape) {
  return z
    .strictObject(shape)
    .prefault({} as z.input<z.ZodObject<Shape, z.core.$strict>>)
    .superRefine((value, ctx) => {
      const endpoint = value as unknown as { enabled: boolean; existingSecret: string; host: string };
      requireExistingSecret(endpoint, ctx);
      requireHost(endpoint, ctx);
    });
}
