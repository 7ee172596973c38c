/**
 * A bundled single-instance container registry (CNCF Distribution, `registry:2`) with filesystem
 * storage on its volume and htpasswd authentication. The htpasswd file is made at start-up from a
 * generated password by an init container (the registry image carries no htpasswd tool), so the
 * password only ever lives in its Secret.
 */
import { objectName, type RenderContext } from '../../render/context.ts';
import type { ComponentSpec, ResourceSpec } from '../../render/model.ts';
import { type DependencyValues, type ImageValues, imageSchema } from '../../values/vocabulary/index.ts';
import { type BundledDependency, serviceHost, statefulDependency } from './dependency.ts';
import { type EnvSource, env } from './env.ts';

export interface RegistryConnection {
  /** In-cluster address, host:port. */
  readonly address: string;
  readonly username: EnvSource;
  readonly password: EnvSource;
  readonly insecure: boolean;
}

/**
 * The image of the init container that writes the bcrypt htpasswd file (Apache httpd's
 * `htpasswd -B`), as a value: a blueprint puts it next to its registry dependency
 * (`dependencies.registry.htpasswdImage`) and passes it to `bundledRegistry`.
 */
export const htpasswdImageSchema = imageSchema({ repository: 'httpd', tag: '2.4.62-alpine' }).describe(
  "Image of the init container that writes the registry's htpasswd file (Apache httpd's htpasswd -B).",
);

const INIT_RESOURCES: ResourceSpec = { requests: { cpu: '10m', memory: '16Mi' }, limits: { memory: '64Mi' } };

export function bundledRegistry(
  ctx: RenderContext,
  values: DependencyValues,
  options: {
    readonly username: string;
    readonly allowFrom?: readonly string[];
    readonly htpasswdImage: ImageValues;
  },
): BundledDependency<RegistryConnection> {
  const name = 'registry';
  const secret = objectName(ctx, name);
  const username: EnvSource = { secret, key: 'username' };
  const password: EnvSource = { secret, key: 'password' };
  const base = statefulDependency({
    name,
    values,
    uid: 1000,
    dataPath: '/var/lib/registry',
    scratch: { auth: '/auth' },
    ...(options.allowFrom ? { allowFrom: options.allowFrom } : {}),
    container: {
      name,
      env: [
        env('REGISTRY_HTTP_ADDR', ':5000'),
        env('REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY', '/var/lib/registry'),
        env('REGISTRY_STORAGE_DELETE_ENABLED', 'true'),
        env('REGISTRY_AUTH', 'htpasswd'),
        env('REGISTRY_AUTH_HTPASSWD_REALM', 'Registry Realm'),
        env('REGISTRY_AUTH_HTPASSWD_PATH', '/auth/htpasswd'),
      ],
      ports: [{ name: 'registry', containerPort: 5000 }],
      probes: {
        // `/` answers 200 without credentials; `/v2/` would answer 401.
        readiness: { http: { path: '/', port: 'registry' }, periodSeconds: 5 },
        liveness: { http: { path: '/', port: 'registry' }, initialDelaySeconds: 10, periodSeconds: 10 },
      },
    },
  });
  const component: ComponentSpec = {
    ...base,
    initContainers: [
      {
        name: 'htpasswd',
        image: options.htpasswdImage,
        command: ['/bin/sh', '-c'],
        args: ['htpasswd -Bbn "$REGISTRY_USERNAME" "$REGISTRY_PASSWORD" > /auth/htpasswd'],
        env: [env('REGISTRY_USERNAME', username), env('REGISTRY_PASSWORD', password)],
        resources: INIT_RESOURCES,
        volumeMounts: ['auth'],
      },
    ],
    rollOn: { secrets: [name] },
  };
  return {
    components: [component],
    secrets: [
      {
        name,
        generated: { password: { kind: 'alphanumeric', length: 32 } },
        fixed: { username: options.username },
      },
    ],
    connection: { address: `${serviceHost(ctx, name)}:5000`, username, password, insecure: true },
  };
}
