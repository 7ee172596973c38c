/**
 * Everything the console reads from or does to a cluster, as one thin adapter over berth's core
 * functions (release queries and records, plan, engine, preflight, doctor, watches). The server
 * and its pages see only this interface, so the core calls can be swapped for the action layer
 * without touching them. What comes back may still hold secret values: ./redact.ts cleans it.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Blueprint } from '../blueprints/blueprint.ts';
import { getBlueprint, listBlueprints } from '../blueprints/registry.ts';
import { blueprintJsonSchema } from '../cli/commands/info.ts';
import { bundleRoot, runDoctor } from '../doctor/doctor.ts';
import type { KubeClient } from '../kube/client.ts';
import { type Diagnosis, diagnose } from '../kube/diagnose.ts';
import { KubeApiError } from '../kube/errors.ts';
import type { LiveObject, ObjectRef } from '../kube/types.ts';
import { watchObject } from '../kube/watch-object.ts';
import { releaseSecretValues } from '../plan/known-secrets.ts';
import { type Plan, planUpgrade } from '../plan/plan.ts';
import { scrubPatterns } from '../plan/redact.ts';
import type { PreflightReport } from '../preflight/model.ts';
import { preflightInput, runPreflight } from '../preflight/run.ts';
import { type DeployRequest, deploy, type ReleaseResult, type ReleaseTarget } from '../release/engine.ts';
import type { ProgressListener } from '../release/progress.ts';
import { listReleases, type ReleaseStatusReport, releaseHistory, releaseStatus } from '../release/queries.ts';
import type { ReleaseRecord } from '../release/record.ts';
import type { RecordSummary } from '../release/store.ts';
import { ReleaseStore } from '../release/store.ts';
import { readinessWaiter } from '../release/waiter.ts';
import { checkReleaseName, render } from '../render/render.ts';

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

export function clusterBackend(
  client: KubeClient,
  scope: { namespaces: readonly string[]; allNamespaces: boolean },
): ConsoleBackend {
  const target = (t: Target): ReleaseTarget => {
    checkReleaseName(t.release);
    return { client, namespace: t.namespace, release: t.release };
  };
  return {
    context: client.context,
    namespaces: scope.namespaces,
    listReleases: () => releasesAcross(client, scope.namespaces, scope.allNamespaces),
    status: (namespace, release) => releaseStatus(target({ namespace, release })),
    history: (namespace, release) => releaseHistory(target({ namespace, release })),
    record: (namespace, release, revision) => new ReleaseStore(client).load(namespace, release, revision),
    async secretPatterns(namespace, release) {
      return scrubPatterns(await releaseSecretValues(client, namespace, release));
    },
    blueprints: listBlueprints,
    blueprint: getBlueprint,
    schema: blueprintJsonSchema,
    async plan(t, blueprint, values) {
      await render(blueprint, values, { release: t.release, namespace: t.namespace });
      return planUpgrade(target(t), { blueprint, values });
    },
    deploy: (t, request, settings, progress) =>
      deploy(target(t), request, {
        wait: true,
        timeoutMs: settings.timeoutMs,
        atomic: settings.atomic,
        dryRun: false,
        adopt: false,
        historyMax: 10,
        preflight: request.kind !== 'rollback',
        createNamespace: false,
        waiter: readinessWaiter(client),
        progress,
      }),
    async preflight(t, blueprint, values) {
      return runPreflight({ client, ...(await preflightInput(blueprint, values, target(t))) });
    },
    async doctorBundle(namespace, release) {
      const dir = await mkdtemp(join(tmpdir(), 'berth-console-'));
      const name = `${bundleRoot(release, new Date())}.tar.gz`;
      try {
        await runDoctor(target({ namespace, release }), { bundlePath: join(dir, name), logs: undefined });
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
