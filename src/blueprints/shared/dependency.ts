/** Shared shape of a bundled dependency: a single-replica StatefulSet with one data volume. */
import { objectName, type RenderContext } from '../../render/context.ts';
import type { ComponentSpec, ContainerSpec, SecretSpec, VolumeSpec } from '../../render/model.ts';
import type { DependencyValues } from '../../values/vocabulary/index.ts';
import type { EnvSource } from './env.ts';

export interface BundledDependency<Connection> {
  readonly components: readonly ComponentSpec[];
  readonly secrets: readonly SecretSpec[];
  readonly connection: Connection;
}

/**
 * Collects the components and Secrets of the bundled dependencies a blueprint picks; `use` returns
 * the dependency's connection so the blueprint can wire bundled and external services alike.
 */
export function bundledDependencies() {
  const components: ComponentSpec[] = [];
  const secrets: SecretSpec[] = [];
  const use = <Connection>(bundled: BundledDependency<Connection>): Connection => {
    components.push(...bundled.components);
    secrets.push(...bundled.secrets);
    return bundled.connection;
  };
  return { components, secrets, use };
}

export interface StatefulDependencyOptions {
  readonly name: string;
  readonly values: DependencyValues;
  readonly container: Omit<ContainerSpec, 'image' | 'resources' | 'volumeMounts'>;
  readonly dataPath: string;
  /** Extra scratch directories the image writes to (emptyDir), e.g. sockets or logs. */
  readonly scratch?: Readonly<Record<string, string>>;
  readonly uid: number;
  readonly allowFrom?: readonly string[];
}

export function statefulDependency(options: StatefulDependencyOptions): ComponentSpec {
  const { values } = options;
  const volumes: VolumeSpec[] = [
    { name: 'data', mountPath: options.dataPath, persistence: values.persistence },
  ];
  for (const [name, mountPath] of Object.entries(options.scratch ?? {}))
    volumes.push({ name, mountPath, emptyDir: {} });
  return {
    name: options.name,
    stage: 'dependencies',
    kind: 'StatefulSet',
    replicas: 1,
    containers: [
      {
        ...options.container,
        image: values.image,
        resources: values.resources,
        volumeMounts: volumes.map((v) => v.name),
      },
    ],
    volumes,
    service: {},
    scheduling: values,
    podSecurity: { runAsUser: options.uid, runAsGroup: options.uid, fsGroup: options.uid },
    ...(options.allowFrom ? { allowFrom: options.allowFrom } : {}),
  };
}

/**
 * A bundled dependency's credentials: the Secret berth generates once, or the user's
 * `dependencies.<dep>.auth.existingSecret` (same keys, renamed by `auth.secretKeys`), which then
 * replaces it.
 */
export function dependencyCredentials(ctx: RenderContext, values: DependencyValues, generated: SecretSpec) {
  const { existingSecret, secretKeys } = values.auth;
  return {
    source: (key: string): EnvSource =>
      existingSecret
        ? { secret: existingSecret, key: secretKeys[key] ?? key }
        : { secret: objectName(ctx, generated.name), key },
    secrets: existingSecret ? [] : [generated],
  };
}

/** The DNS name other pods use to reach a bundled dependency. */
export function serviceHost(ctx: RenderContext, component: string): string {
  return `${objectName(ctx, component)}.${ctx.namespace}.svc`;
}
