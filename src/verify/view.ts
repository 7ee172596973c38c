/**
 * A read-only view of a rendered release for checks: components by their short name, containers,
 * and environment variables resolved through the release's own Secrets and ConfigMaps.
 */
import type { KubeObject } from '../render/model.ts';
import type { RenderResult } from '../render/render.ts';
import { containerEnv, type ResolvedEnv } from './container-env.ts';

type Json = Record<string, unknown>;

export interface ContainerView {
  readonly name: string;
  readonly spec: Json;
  readonly image: string;
  readonly command: readonly string[];
  readonly args: readonly string[];
  readonly ports: readonly { readonly name?: string; readonly containerPort: number }[];
  /** Every variable the container sees, `env` over `envFrom`, last entry of a name winning as in Kubernetes. */
  readonly env: ReadonlyMap<string, ResolvedEnv>;
  readonly mounts: readonly {
    readonly name: string;
    readonly mountPath: string;
    readonly readOnly: boolean;
  }[];
  readonly securityContext: Json;
  /** The value of an environment variable, when the release holds it. */
  value(name: string): string | undefined;
}

export interface ComponentView {
  readonly name: string;
  readonly workload: KubeObject;
  readonly kind: string;
  readonly podSpec: Json;
  readonly podLabels: Readonly<Record<string, string>>;
  readonly containers: readonly ContainerView[];
  readonly initContainers: readonly ContainerView[];
  /** The named container, or the first one. */
  container(name?: string): ContainerView | undefined;
}

export interface ReleaseView {
  readonly release: string;
  readonly namespace: string;
  readonly values: unknown;
  readonly objects: readonly KubeObject[];
  readonly components: readonly ComponentView[];
  component(name: string): ComponentView | undefined;
  /** The component's main container (named like the component), when the component is rendered. */
  main(component: string): ContainerView | undefined;
  /** An object by kind and name; the short name (without `<release>-`) works too. */
  object(kind: string, name: string): KubeObject | undefined;
  /** A key of a ConfigMap or Secret of the release. */
  data(kind: 'ConfigMap' | 'Secret', name: string, key: string): string | undefined;
}

const COMPONENT_LABEL = 'app.kubernetes.io/component';
const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob']);

export function podTemplateOf(object: KubeObject): Json | undefined {
  const spec = object.spec as Json | undefined;
  if (!spec) return undefined;
  if (object.kind === 'CronJob') {
    return ((spec.jobTemplate as Json | undefined)?.spec as Json | undefined)?.template as Json | undefined;
  }
  return spec.template as Json | undefined;
}

export function releaseView(
  result: Pick<RenderResult, 'release' | 'namespace' | 'values' | 'manifests'>,
): ReleaseView {
  const objects = result.manifests.map((m) => m.object);
  const byKey = new Map(objects.map((o) => [`${o.kind}/${o.metadata.name}`, o]));
  const object = (kind: string, name: string) =>
    byKey.get(`${kind}/${name}`) ?? byKey.get(`${kind}/${result.release}-${name}`);
  const data = (kind: 'ConfigMap' | 'Secret', name: string, key: string): string | undefined => {
    const found = object(kind, name);
    if (!found) return undefined;
    const entries = (kind === 'Secret' ? (found.stringData ?? found.data) : found.data) as Json | undefined;
    const value = entries?.[key];
    return typeof value === 'string' ? value : undefined;
  };
  // A rendered Secret carries stringData (generated values) or data, both as the container sees them.
  const sources = (kind: 'ConfigMap' | 'Secret', name: string) => {
    const found = byKey.get(`${kind}/${name}`);
    if (!found) return undefined;
    const entries = ((kind === 'Secret' ? (found.stringData ?? found.data) : found.data) ?? {}) as Json;
    return Object.fromEntries(
      Object.entries(entries).flatMap(([key, value]) => (typeof value === 'string' ? [[key, value]] : [])),
    );
  };

  const containerView = (spec: Json): ContainerView => {
    const env = containerEnv(spec, sources);
    return {
      name: String(spec.name),
      spec,
      image: String(spec.image ?? ''),
      command: (spec.command as string[] | undefined) ?? [],
      args: (spec.args as string[] | undefined) ?? [],
      ports: (spec.ports as ContainerView['ports'] | undefined) ?? [],
      env,
      mounts: ((spec.volumeMounts as Json[] | undefined) ?? []).map((m) => ({
        name: String(m.name),
        mountPath: String(m.mountPath),
        readOnly: m.readOnly === true,
      })),
      securityContext: (spec.securityContext as Json | undefined) ?? {},
      value: (name) => env.get(name)?.value,
    };
  };

  // A workload without berth's component label (one from `extraObjects`) is a component by its name,
  // so Services, callers and policies that reach it are checked like any other.
  const components: ComponentView[] = objects
    .filter((o) => WORKLOAD_KINDS.has(o.kind))
    .map((workload) => {
      const template = podTemplateOf(workload) ?? {};
      const podSpec = (template.spec as Json | undefined) ?? {};
      const containers = ((podSpec.containers as Json[] | undefined) ?? []).map(containerView);
      return {
        name: workload.metadata.labels?.[COMPONENT_LABEL] ?? workload.metadata.name,
        workload,
        kind: workload.kind,
        podSpec,
        podLabels:
          ((template.metadata as Json | undefined)?.labels as Record<string, string> | undefined) ?? {},
        containers,
        initContainers: ((podSpec.initContainers as Json[] | undefined) ?? []).map(containerView),
        container: (name?: string) =>
          name === undefined ? containers[0] : containers.find((c) => c.name === name),
      };
    });
  const byComponent = new Map(components.map((c) => [c.name, c]));
  return {
    release: result.release,
    namespace: result.namespace,
    values: result.values,
    objects,
    components,
    component: (name) => byComponent.get(name),
    main: (name) => byComponent.get(name)?.container(name),
    object,
    data,
  };
}
