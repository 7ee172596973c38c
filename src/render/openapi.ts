/**
 * Validate rendered objects against the Kubernetes OpenAPI schema (kubernetes-models), and the
 * Prometheus Operator and KEDA schemas for their custom resources. No kubernetes-models package
 * covers the VerticalPodAutoscaler (autoscaling.k8s.io), so a small zod schema of its v1 CRD does.
 */
import { z } from 'zod';
import { BerthError, ExitCode } from '../errors.ts';
import type { KubeObject } from './model.ts';

interface Model {
  validate(): void;
}
type ModelClass = new (data: unknown) => Model;

const CUSTOM_GROUPS: Record<string, string> = {
  'monitoring.coreos.com': '@kubernetes-models/prometheus-operator',
  'keda.sh': '@kubernetes-models/keda',
};

function modulePath(object: KubeObject): string {
  const [group, version] = object.apiVersion.includes('/')
    ? object.apiVersion.split('/')
    : ['', object.apiVersion];
  if (group === '') return `kubernetes-models/${version}/${object.kind}`;
  const customPackage = CUSTOM_GROUPS[group!];
  if (customPackage) return `${customPackage}/${group}/${version}/${object.kind}`;
  return `kubernetes-models/${group}/${version}/${object.kind}`;
}

const resourceAmounts = z.record(z.enum(['cpu', 'memory']), z.union([z.string(), z.number()]));

/** The fields of autoscaling.k8s.io/v1 VerticalPodAutoscaler berth renders, as the CRD defines them. */
const verticalPodAutoscalerSchema = z.looseObject({
  apiVersion: z.literal('autoscaling.k8s.io/v1'),
  kind: z.literal('VerticalPodAutoscaler'),
  metadata: z.looseObject({ name: z.string().min(1), namespace: z.string().optional() }),
  spec: z.strictObject({
    targetRef: z.strictObject({ apiVersion: z.string(), kind: z.string().min(1), name: z.string().min(1) }),
    updatePolicy: z
      .strictObject({
        updateMode: z.enum(['Off', 'Initial', 'Recreate', 'InPlaceOrRecreate', 'Auto']).optional(),
        minReplicas: z.int().min(1).optional(),
      })
      .optional(),
    resourcePolicy: z
      .strictObject({
        containerPolicies: z.array(
          z.strictObject({
            containerName: z.string().min(1),
            mode: z.enum(['Auto', 'Off']).optional(),
            minAllowed: resourceAmounts.optional(),
            maxAllowed: resourceAmounts.optional(),
            controlledResources: z.array(z.enum(['cpu', 'memory'])).optional(),
            controlledValues: z.enum(['RequestsAndLimits', 'RequestsOnly']).optional(),
          }),
        ),
      })
      .optional(),
  }),
});

class VerticalPodAutoscalerModel implements Model {
  readonly data: unknown;
  constructor(data: unknown) {
    this.data = data;
  }
  validate(): void {
    const result = verticalPodAutoscalerSchema.safeParse(this.data);
    if (!result.success) throw new Error(z.prettifyError(result.error));
  }
}

const LOCAL_MODELS: Record<string, ModelClass> = {
  'autoscaling.k8s.io/v1/VerticalPodAutoscaler': VerticalPodAutoscalerModel,
};

/** Loaded on first use: `berth render` needs them, most other commands that load this file do not. */
let builtInModels: Promise<ReadonlyMap<string, ModelClass>> | undefined;

/**
 * The custom resources berth's blueprints render, imported by name so the bundler builds their
 * validators into berth's own files, each loaded only by a render that has one (PrometheusRule's
 * starts a WebAssembly regular-expression engine).
 */
const CUSTOM_MODELS: Record<string, () => Promise<Record<string, unknown>>> = {
  'monitoring.coreos.com/v1/PrometheusRule': () =>
    import('@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule'),
  'monitoring.coreos.com/v1/ServiceMonitor': () =>
    import('@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor'),
  'keda.sh/v1alpha1/ScaledObject': () => import('@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject'),
};

const models = new Map<string, Promise<ModelClass>>();

async function modelFor(object: KubeObject): Promise<ModelClass> {
  const key = `${object.apiVersion}/${object.kind}`;
  const local = LOCAL_MODELS[key];
  if (local) return local;
  const path = modulePath(object);
  builtInModels ??= import('./openapi-models.ts').then(
    (module) => module.BUILT_IN_MODELS as ReadonlyMap<string, ModelClass>,
  );
  const builtIn = (await builtInModels).get(key);
  if (builtIn) return builtIn;
  let model = models.get(path);
  if (!model) {
    // A custom resource berth renders is bundled; anything else (a user's extra object) is looked
    // up in node_modules by path.
    const custom = CUSTOM_MODELS[key];
    model = (custom ? custom() : import(path)).then((module: Record<string, unknown>) => {
      const found = module[object.kind] as ModelClass | undefined;
      if (!found) throw new Error(`no model ${object.kind} in ${path}`);
      return found;
    });
    models.set(path, model);
  }
  return model;
}

export interface SchemaViolation {
  readonly object: string;
  readonly message: string;
}

export async function schemaViolations(objects: readonly KubeObject[]): Promise<SchemaViolation[]> {
  const violations: SchemaViolation[] = [];
  for (const object of objects) {
    const id = `${object.kind}/${object.metadata.name}`;
    let Model: ModelClass;
    try {
      Model = await modelFor(object);
    } catch {
      violations.push({
        object: id,
        message: `no OpenAPI schema known for ${object.apiVersion} ${object.kind}`,
      });
      continue;
    }
    try {
      // The model copies what it is given (kubernetes-models filters undefined values into new objects).
      new Model(object).validate();
    } catch (error) {
      violations.push({ object: id, message: (error as Error).message });
    }
  }
  return violations;
}

/** Rendered objects must be valid; an invalid one is a bug in berth or a blueprint, never the user's. */
export async function assertValidObjects(objects: readonly KubeObject[]): Promise<void> {
  const violations = await schemaViolations(objects);
  if (violations.length === 0) return;
  const lines = violations.map((v) => `${v.object}: ${v.message}`).join('; ');
  throw new BerthError('BERTH_RENDER_INVALID', `rendered objects fail the Kubernetes schema: ${lines}`, {
    exitCode: ExitCode.internal,
    hint: 'this is a bug in berth; please report it with the values you used',
  });
}
