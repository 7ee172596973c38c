/**
 * Helm's release records (the Secrets storage driver, Helm 3 and 4): one Secret per revision,
 * `sh.helm.release.v1.<name>.v<revision>`, type `helm.sh/release.v1`, labels owner=helm, name,
 * status, version; `data.release` is base64(gzip(JSON of the release)).
 */
import { gunzipSync } from 'node:zlib';
import { parseAllDocuments } from 'yaml';
import { BerthError, ExitCode } from '../errors.ts';
import type { KubeClient } from '../kube/client.ts';
import type { LiveObject } from '../kube/types.ts';

export const HELM_RECORD_TYPE = 'helm.sh/release.v1';
/** Helm lists records by `owner=helm`; an adopted release's records carry this owner instead. */
export const ADOPTED_OWNER = 'berth-adopted';

export interface HelmHook {
  readonly name: string;
  readonly kind: string;
  readonly events: readonly string[];
}

export interface HelmRelease {
  readonly name: string;
  readonly namespace: string;
  readonly revision: number;
  readonly status: string;
  readonly chart: { readonly name: string; readonly version: string; readonly appVersion: string };
  /** The values the user gave (`helm get values`). */
  readonly config: Record<string, unknown>;
  /** The objects Helm applied (hooks excluded). */
  readonly objects: readonly { readonly apiVersion: string; readonly kind: string; readonly name: string }[];
  readonly hooks: readonly HelmHook[];
  /** How Helm applied the objects: server-side (Helm 4's default) or client-side. */
  readonly applyMethod: 'ssa' | 'csa';
}

interface StoredRelease {
  name?: string;
  namespace?: string;
  version?: number;
  info?: { status?: string };
  chart?: { metadata?: { name?: string; version?: string; appVersion?: string } };
  config?: Record<string, unknown>;
  manifest?: string;
  hooks?: { name?: string; kind?: string; events?: string[] }[];
  apply_method?: string;
}

/** Decodes `data.release` as the API server returns it (base64 of Helm's own base64 of gzip). */
export function decodeHelmRecord(secret: LiveObject): HelmRelease {
  const data = (secret.data ?? {}) as Record<string, string>;
  const inner = Buffer.from(Buffer.from(data.release ?? '', 'base64').toString('latin1'), 'base64');
  const json = inner.subarray(0, 3).equals(Buffer.from([0x1f, 0x8b, 0x08])) ? gunzipSync(inner) : inner;
  const stored = JSON.parse(json.toString('utf8')) as StoredRelease;
  const metadata = stored.chart?.metadata ?? {};
  return {
    name: stored.name ?? '',
    namespace: stored.namespace ?? '',
    revision: stored.version ?? 0,
    status: stored.info?.status ?? '',
    chart: {
      name: metadata.name ?? '',
      version: metadata.version ?? '',
      appVersion: metadata.appVersion ?? '',
    },
    config: stored.config ?? {},
    objects: manifestObjects(stored.manifest ?? ''),
    hooks: (stored.hooks ?? []).map((hook) => ({
      name: hook.name ?? '',
      kind: hook.kind ?? '',
      events: hook.events ?? [],
    })),
    applyMethod: stored.apply_method === 'ssa' ? 'ssa' : 'csa',
  };
}

function manifestObjects(manifest: string): HelmRelease['objects'] {
  const objects: { apiVersion: string; kind: string; name: string }[] = [];
  for (const document of [parseAllDocuments(manifest)].flat()) {
    const object = document.toJS() as {
      apiVersion?: string;
      kind?: string;
      metadata?: { name?: string };
    } | null;
    if (object?.apiVersion && object.kind && object.metadata?.name)
      objects.push({ apiVersion: object.apiVersion, kind: object.kind, name: object.metadata.name });
  }
  return objects;
}

/** Every record Secret of the release, with `owner` as given (helm, or berth-adopted after adoption). */
export async function helmRecordSecrets(
  client: KubeClient,
  namespace: string,
  release: string,
  owner: string,
): Promise<LiveObject[]> {
  const secrets = await client.list({
    apiVersion: 'v1',
    kind: 'Secret',
    namespace,
    labelSelector: `owner=${owner},name=${release}`,
  });
  return secrets
    .filter((secret) => secret.type === HELM_RECORD_TYPE)
    .sort((a, b) => Number(b.metadata.labels?.version) - Number(a.metadata.labels?.version));
}

/** The latest deployed revision of a Helm release, or a one-line reason there is none. */
export async function readDeployedHelmRelease(
  client: KubeClient,
  namespace: string,
  release: string,
): Promise<{ release: HelmRelease; secrets: LiveObject[] }> {
  const secrets = await helmRecordSecrets(client, namespace, release, 'helm');
  const deployed = secrets.find((secret) => secret.metadata.labels?.status === 'deployed');
  if (!deployed) {
    const statuses = secrets.map((s) => `v${s.metadata.labels?.version} ${s.metadata.labels?.status}`);
    throw new BerthError(
      'BERTH_ADOPT_NO_RELEASE',
      statuses.length
        ? `Helm release ${release} in namespace ${namespace} has no deployed revision (${statuses.join(', ')})`
        : `no Helm release ${release} in namespace ${namespace} (no Secret of type ${HELM_RECORD_TYPE} labelled owner=helm,name=${release})`,
      { exitCode: ExitCode.userError, hint: 'helm list -n <namespace> shows the releases Helm knows' },
    );
  }
  return { release: decodeHelmRecord(deployed), secrets };
}

/** Hand every record of the release to a new owner label; the content stays as Helm wrote it. */
export async function relabelHelmRecords(
  client: KubeClient,
  secrets: readonly LiveObject[],
  owner: string,
): Promise<void> {
  for (const secret of secrets)
    await client.patch(
      { apiVersion: 'v1', kind: 'Secret', name: secret.metadata.name, namespace: secret.metadata.namespace },
      { metadata: { labels: { owner } } },
    );
}
