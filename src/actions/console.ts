/**
 * Everything the console reads from or does to a cluster: the actions every front end uses (plan,
 * install/upgrade/rollback with their preflight gate and data guard, preflight, doctor, status,
 * history, schema) plus the reads only a live page needs (records, watches, diagnoses), over one
 * connection. The server and its pages see only this interface. What comes back may still hold
 * secret values: the server scrubs it.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Blueprint } from '../blueprints/blueprint.ts';
import { getBlueprint, listBlueprints } from '../blueprints/registry.ts';
import { bundleRoot } from '../doctor/doctor.ts';
import type { OwnershipReport } from '../inspect/owners.ts';
import type { KubeClient } from '../kube/client.ts';
import { type Diagnosis, diagnose } from '../kube/diagnose.ts';
import { KubeApiError } from '../kube/errors.ts';
import type { LiveObject, ObjectRef } from '../kube/types.ts';
import { watchObject } from '../kube/watch-object.ts';
import { releaseSecretValues } from '../plan/known-secrets.ts';
import type { Plan } from '../plan/plan.ts';
import { scrubPatterns } from '../plan/redact.ts';
import type { PreflightReport } from '../preflight/model.ts';
import type { DeployRequest, ReleaseResult } from '../release/engine.ts';
import type { ProgressListener } from '../release/progress.ts';
import { listReleases, type ReleaseStatusReport } from '../release/queries.ts';
import type { ReleaseRecord } from '../release/record.ts';
import type { RecordSummary } from '../release/store.ts';
import { ReleaseStore } from '../release/store.ts';
import type { ClusterTarget } from './cluster.ts';
import { runDeploy } from './deploy.ts';
import { doctor } from './doctor.ts';
import { history } from './history.ts';
import { owners } from './owners.ts';
import { plan } from './plan.ts';
import { preflight } from './preflight.ts';
import { schema } from './schema.ts';
import { status } from './status.ts';
import { releaseValues, type ValuesView } from './values.ts';

export interface ReleaseList {
  readonly releases: readonly RecordSummary[];
  /** Namespaces that could not be read, and why (the console still shows the others). */
  readonly notes: readonly string[];
}

export interface DeploySettings {
  readonly timeoutMs: number;
  readonly atomic: boolean;
}

export interface ConsoleBackend {
  /** The context the console works in (shown in the header). */
  readonly context: string;
  readonly namespaces: readonly string[];
  /** Started without `-n`: every namespace the credentials may read is served, not only `namespaces`. */
  readonly allNamespaces: boolean;
  listReleases(): Promise<ReleaseList>;
  status(namespace: string, release: string): Promise<ReleaseStatusReport>;
  history(namespace: string, release: string): Promise<RecordSummary[]>;
  /** A revision's record; its manifests still hold credentials (the engine needs them). */
  record(namespace: string, release: string, revision: number): Promise<ReleaseRecord | undefined>;
  /** The release's secret values as they are live (and their base64 forms), to scrub from anything shown. */
  secretPatterns(namespace: string, release: string): Promise<string[]>;
  blueprints(): Promise<Blueprint[]>;
  blueprint(name: string): Promise<Blueprint>;
  schema(blueprint: string): Promise<Record<string, unknown>>;
  plan(target: Target, blueprint: Blueprint, values: Record<string, unknown>): Promise<Plan>;
  deploy(
    target: Target,
    request: DeployRequest,
    settings: DeploySettings,
    progress: ProgressListener,
  ): Promise<ReleaseResult>;
  preflight(target: Target, blueprint: Blueprint, values: Record<string, unknown>): Promise<PreflightReport>;
  /** The effective values of the deployed revision, each leaf with its layer (credentials redacted). */
  values(namespace: string, release: string): Promise<ValuesView>;
  /** Who claims each object of the release: berth, Helm, Argo CD, Flux, kapp, field managers. */
  owners(namespace: string, release: string): Promise<OwnershipReport>;
  /** The redacted doctor bundle (tar.gz) and its file name. */
  doctorBundle(namespace: string, release: string): Promise<{ name: string; bytes: Buffer }>;
  /** Follows one object until the signal aborts. */
  watch(ref: ObjectRef, signal: AbortSignal, onChange: (object: LiveObject | undefined) => void): void;
  diagnose(ref: ObjectRef, live: LiveObject | undefined): Promise<Diagnosis>;
}

export interface Target {
  readonly namespace: string;
  readonly release: string;
}

function forbidden(error: unknown): boolean {
  return error instanceof KubeApiError && error.status === 403;
}

/**
 * Lists every namespace at once when the credentials allow it; otherwise (namespace-scoped
 * permissions) each namespace the console was given, one by one.
 */
async function releasesAcross(client: KubeClient, namespaces: readonly string[], all: boolean) {
  if (all) {
    try {
      return { releases: await listReleases(client, undefined), notes: [] };
    } catch (error) {
      if (!forbidden(error)) throw error;
    }
  }
  const notes: string[] = [];
  const lists = await Promise.all(
    namespaces.map((namespace) =>
      listReleases(client, namespace).catch((error: unknown) => {
        if (!forbidden(error)) throw error;
        notes.push(`namespace ${namespace}: not allowed to list Secrets`);
        return [];
      }),
    ),
  );
  return { releases: lists.flat(), notes };
}

/**
 * `client` reads what only the console needs; `cluster` (the same kubeconfig and context) is what
 * the actions connect with, each in the namespace of the release at hand.
 */
export function clusterBackend(
  client: KubeClient,
  scope: { namespaces: readonly string[]; allNamespaces: boolean },
  cluster: ClusterTarget = {},
): ConsoleBackend {
  const at = (t: Target) => ({ release: t.release, cluster: { ...cluster, namespace: t.namespace } });
  return {
    context: client.context,
    namespaces: scope.namespaces,
    allNamespaces: scope.allNamespaces,
    listReleases: () => releasesAcross(client, scope.namespaces, scope.allNamespaces),
    status: (namespace, release) => status(at({ namespace, release })),
    history: (namespace, release) => history(at({ namespace, release })),
    record: (namespace, release, revision) => new ReleaseStore(client).load(namespace, release, revision),
    async secretPatterns(namespace, release) {
      return scrubPatterns(await releaseSecretValues(client, namespace, release));
    },
    blueprints: listBlueprints,
    blueprint: getBlueprint,
    schema: async (name) => schema(await getBlueprint(name)),
    plan: (t, blueprint, values) => plan({ ...at(t), blueprint, values }),
    deploy: (t, request, settings, progress) =>
      runDeploy(
        at(t),
        request,
        {
          wait: true,
          timeoutMs: settings.timeoutMs,
          atomic: settings.atomic,
          dryRun: false,
          adopt: false,
          historyMax: 10,
          preflight: request.kind !== 'rollback',
          createNamespace: false,
        },
        { progress },
      ),
    preflight: (t, blueprint, values) =>
      preflight({ cluster: at(t).cluster, release: t.release, blueprint, values }),
    values: (namespace, release) => releaseValues(at({ namespace, release })),
    owners: (namespace, release) => owners(at({ namespace, release })),
    async doctorBundle(namespace, release) {
      const dir = await mkdtemp(join(tmpdir(), 'berth-console-'));
      const name = `${bundleRoot(release, new Date())}.tar.gz`;
      try {
        await doctor({
          ...at({ namespace, release }),
          bundlePath: join(dir, name),
          logs: false,
          logLines: 0,
          logBytes: 0,
        });
        return { name, bytes: await readFile(join(dir, name)) };
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
    watch(ref, signal, onChange) {
      watchObject(client, ref, { signal, onChange }).catch(() => onChange(undefined));
    },
    diagnose: (ref, live) => diagnose(client, ref, live),
  };
}
