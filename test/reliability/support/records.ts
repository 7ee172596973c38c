/**
 * What the cluster holds after a run, read with kubectl (never through berth): the release records,
 * checked for half-written or duplicate revisions, and the generated secret values, for the scan.
 */
import { gunzipSync } from 'node:zlib';
import { GENERATED_KEYS_ANNOTATION } from '../../../src/render/annotations.ts';
import { kubectlJson } from '../../e2e/support/cluster.ts';

interface SecretItem {
  type?: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  data?: Record<string, string>;
}

const RECORD_TYPE = 'berth.dev/release.v1';

async function secrets(namespace: string, kubeconfig?: string, selector?: string): Promise<SecretItem[]> {
  const args = ['get', 'secrets', '-n', namespace, ...(selector ? ['-l', selector] : [])];
  const list = await kubectlJson<{ items: SecretItem[] }>(
    kubeconfig ? [...args, '--kubeconfig', kubeconfig] : args,
  );
  return list.items;
}

export interface RecordedRevision {
  readonly revision: number;
  readonly status: string;
  /** The decoded record (JSON text). */
  readonly text: string;
}

/**
 * Every revision of a release, decoded; throws when a revision is half-written: a chunk missing,
 * a payload that does not decode, a head whose labels disagree with its payload.
 */
export async function recordedRevisions(
  namespace: string,
  release: string,
  kubeconfig?: string,
): Promise<RecordedRevision[]> {
  const items = (
    await secrets(namespace, kubeconfig, `berth.dev/owner=berth,berth.dev/release=${release}`)
  ).filter((s) => s.type === RECORD_TYPE);
  const byRevision = new Map<number, SecretItem[]>();
  for (const item of items) {
    const revision = Number(item.metadata.labels?.['berth.dev/revision']);
    byRevision.set(revision, [...(byRevision.get(revision) ?? []), item]);
  }
  const revisions: RecordedRevision[] = [];
  for (const [revision, parts] of byRevision) {
    const chunk = (s: SecretItem) => Number(s.metadata.labels?.['berth.dev/chunk']);
    const head = parts.find((s) => chunk(s) === 0);
    if (!head) throw new Error(`revision ${revision} has chunks but no head`);
    const count = Number(head.metadata.annotations?.['berth.dev/chunks'] ?? '1');
    const sorted = parts.sort((a, b) => chunk(a) - chunk(b));
    if (sorted.length !== count || sorted.some((s, i) => chunk(s) !== i))
      throw new Error(`revision ${revision}: ${sorted.length} of ${count} chunks`);
    const packed = sorted.map((s) => Buffer.from(s.data?.record ?? '', 'base64').toString()).join('');
    const text = gunzipSync(Buffer.from(packed, 'base64')).toString();
    const record = JSON.parse(text) as { revision: number; status: string };
    const status = head.metadata.labels?.['berth.dev/status'] ?? '';
    if (record.revision !== revision || record.status !== status)
      throw new Error(
        `revision ${revision}: head says ${status}, payload says revision ${record.revision} ${record.status}`,
      );
    revisions.push({ revision, status, text });
  }
  return revisions.sort((a, b) => a.revision - b.revision);
}

/**
 * What is wrong with a release's history once no berth run is active: half-written revisions, a
 * revision left pending, not exactly one deployed revision, or (with `deployedLast`) a deployed
 * revision that is not the newest. An empty list means intact.
 */
export async function historyProblems(
  namespace: string,
  release: string,
  options: { deployedLast: boolean; kubeconfig?: string },
): Promise<string[]> {
  let revisions: RecordedRevision[];
  try {
    revisions = await recordedRevisions(namespace, release, options.kubeconfig);
  } catch (error) {
    return [(error as Error).message];
  }
  const problems: string[] = [];
  const pending = revisions.filter((r) => r.status.startsWith('pending'));
  if (pending.length) problems.push(`left pending: ${pending.map((r) => r.revision).join(', ')}`);
  const deployed = revisions.filter((r) => r.status === 'deployed');
  if (deployed.length !== 1)
    problems.push(`${deployed.length} deployed revisions (${deployed.map((r) => r.revision).join(', ')})`);
  const newest = revisions.at(-1);
  if (options.deployedLast && deployed.length === 1 && newest && deployed[0]!.revision !== newest.revision)
    problems.push(
      `deployed is revision ${deployed[0]!.revision}, the newest is ${newest.revision} (${newest.status})`,
    );
  return problems;
}

/** The values of every generated Secret key in the namespaces (what must never be printed). */
export async function generatedSecretValues(
  namespaces: readonly string[],
  kubeconfig?: string,
): Promise<Set<string>> {
  const values = new Set<string>();
  for (const namespace of namespaces) {
    for (const secret of await secrets(namespace, kubeconfig)) {
      if (!secret.metadata.annotations?.[GENERATED_KEYS_ANNOTATION]) continue;
      for (const encoded of Object.values(secret.data ?? {})) {
        const value = Buffer.from(encoded, 'base64').toString();
        // Short values (a port, "true") would match by chance; generated ones are long.
        if (value.length >= 12) values.add(value);
      }
    }
  }
  return values;
}

export interface ScanResult {
  readonly values: number;
  readonly texts: number;
  readonly bytes: number;
  /** Where a value was found ("output 12", "record ns/lf v3"); never the value itself. */
  readonly leaks: string[];
}

/**
 * Looks for each generated secret value of the namespaces in the given texts and in every release
 * record there; also in base64, since a record or bundle might carry it encoded.
 */
export async function scanForSecrets(
  namespaces: readonly string[],
  texts: ReadonlyMap<string, string>,
  kubeconfig?: string,
): Promise<ScanResult> {
  const values = await generatedSecretValues(namespaces, kubeconfig);
  const haystack = new Map(texts);
  for (const namespace of namespaces) {
    const items = await secrets(namespace, kubeconfig, 'berth.dev/owner=berth');
    for (const release of new Set(items.map((s) => s.metadata.labels?.['berth.dev/release'] ?? ''))) {
      if (!release) continue;
      for (const r of await recordedRevisions(namespace, release, kubeconfig))
        haystack.set(`record ${namespace}/${release} v${r.revision}`, r.text);
    }
  }
  const needles = [...values].flatMap((v) => [v, Buffer.from(v).toString('base64')]);
  const leaks: string[] = [];
  let bytes = 0;
  for (const [where, text] of haystack) {
    bytes += text.length;
    if (needles.some((needle) => text.includes(needle))) leaks.push(where);
  }
  return { values: values.size, texts: haystack.size, bytes, leaks };
}
