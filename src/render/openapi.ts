/**
 * Validate rendered objects against the Kubernetes OpenAPI schema (kubernetes-models), and the
 * Prometheus Operator and KEDA schemas for their custom resources.
 */
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

const models = new Map<string, Promise<ModelClass>>();

async function modelFor(object: KubeObject): Promise<ModelClass> {
  const path = modulePath(object);
  let model = models.get(path);
  if (!model) {
    model = import(path).then((module: Record<string, ModelClass>) => {
      const found = module[object.kind];
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
      new Model(structuredClone(object)).validate();
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
