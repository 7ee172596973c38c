/** Release records in the cluster: Secrets of type berth.dev/release.v1, one or more per revision. */
import type { ClusterApi } from '../kube/cluster-api.ts';
import type { LiveObject } from '../kube/types.ts';
import {
  ANNOTATION,
  CREDENTIALS_SECRET_TYPE,
  credentialsName,
  LABEL,
  RECORD_SECRET_TYPE,
  recordName,
} from './labels.ts';
import { decodeRecord, encodeRecord, type ReleaseRecord, type ReleaseStatus } from './record.ts';
import { type SealedCredential, sealManifests, unsealManifests } from './redact.ts';

/** What `list` and `history` show, read from labels and annotations without decoding payloads. */
export interface RecordSummary {
  readonly release: string;
  readonly namespace: string;
  readonly revision: number;
  readonly status: ReleaseStatus;
  readonly blueprint: string;
  readonly appVersion: string;
  readonly updated: string;
  readonly description: string;
}

const SECRET = { apiVersion: 'v1', kind: 'Secret' } as const;

function decoded(object: LiveObject, key: string): string {
  return Buffer.from(String((object.data as Record<string, string>)[key]), 'base64').toString();
}

function summaryOf(object: LiveObject): RecordSummary {
  const labels = object.metadata.labels ?? {};
  const annotations = object.metadata.annotations ?? {};
  return {
    release: labels[LABEL.release] ?? '',
    namespace: object.metadata.namespace ?? '',
    revision: Number(labels[LABEL.revision]),
    status: labels[LABEL.status] as ReleaseStatus,
    blueprint: annotations[ANNOTATION.blueprint] ?? '',
    appVersion: annotations[ANNOTATION.appVersion] ?? '',
    updated: annotations[ANNOTATION.updated] ?? '',
    description: annotations[ANNOTATION.description] ?? '',
  };
}

export class ReleaseStore {
  private readonly client: ClusterApi;

  constructor(client: ClusterApi) {
    this.client = client;
  }

  /**
   * Writes (or rewrites) a record; continuation chunks first so the head never points at nothing.
   * Credentials in its manifests go to a Secret of their own (see ./redact.ts), written first too.
   */
  async save(record: ReleaseRecord): Promise<void> {
    const { manifests, sealed } = sealManifests(record.manifests);
    if (sealed.length) await this.client.apply(this.credentialsSecret(record, sealed), { force: true });
    const chunks = encodeRecord({ ...record, manifests });
    const base = (chunk: number) => ({
      ...SECRET,
      metadata: {
        name: recordName(record.release, record.revision, chunk),
        namespace: record.namespace,
        labels: {
          [LABEL.owner]: 'berth',
          [LABEL.release]: record.release,
          [LABEL.revision]: String(record.revision),
          [LABEL.chunk]: String(chunk),
          ...(chunk === 0 ? { [LABEL.status]: record.status } : {}),
        },
        ...(chunk === 0
          ? {
              annotations: {
                [ANNOTATION.blueprint]: `${record.blueprint.name}-${record.blueprint.version}`,
                [ANNOTATION.appVersion]: record.blueprint.appVersion,
                [ANNOTATION.updated]: record.finishedAt ?? record.startedAt,
                [ANNOTATION.description]: record.description.slice(0, 1000),
                [ANNOTATION.chunks]: String(chunks.length),
                [ANNOTATION.digest]: record.digest,
                ...(record.adopted ? { [ANNOTATION.adoptedChart]: record.adopted.chart } : {}),
              },
            }
          : {}),
      },
      type: RECORD_SECRET_TYPE,
      data: { record: Buffer.from(chunks[chunk]!).toString('base64') },
    });
    for (let chunk = chunks.length - 1; chunk >= 0; chunk--) {
      await this.client.apply(base(chunk), { force: true });
    }
  }

  async load(namespace: string, release: string, revision: number): Promise<ReleaseRecord | undefined> {
    const head = await this.client.get({ ...SECRET, namespace, name: recordName(release, revision) });
    if (!head) return undefined;
    const count = Number(head.metadata.annotations?.[ANNOTATION.chunks] ?? '1');
    const objects = [head];
    for (let chunk = 1; chunk < count; chunk++) {
      const part = await this.client.get({
        ...SECRET,
        namespace,
        name: recordName(release, revision, chunk),
      });
      if (!part) throw new Error(`release record ${recordName(release, revision)} is missing chunk ${chunk}`);
      objects.push(part);
    }
    const record = decodeRecord(objects.map((o) => decoded(o, 'record')));
    const credentials = await this.client.get({
      ...SECRET,
      namespace,
      name: credentialsName(release, revision),
    });
    if (!credentials) return record;
    const sealed = JSON.parse(decoded(credentials, 'credentials')) as SealedCredential[];
    return { ...record, manifests: unsealManifests(record.manifests, sealed) };
  }

  private credentialsSecret(record: ReleaseRecord, sealed: readonly SealedCredential[]) {
    return {
      ...SECRET,
      metadata: {
        name: credentialsName(record.release, record.revision),
        namespace: record.namespace,
        labels: {
          [LABEL.owner]: 'berth',
          [LABEL.release]: record.release,
          [LABEL.revision]: String(record.revision),
        },
      },
      type: CREDENTIALS_SECRET_TYPE,
      data: { credentials: Buffer.from(JSON.stringify(sealed)).toString('base64') },
    };
  }

  /** Record heads of one release (or every release when `release` is omitted), newest revision first. */
  async summaries(namespace: string | undefined, release?: string): Promise<RecordSummary[]> {
    return (await this.heads(namespace, release)).map(summaryOf);
  }

  /**
   * The newest revision's summary and manifest digest, from metadata alone (the digest is empty for
   * records written before the head carried it); whether an older revision is still marked
   * deployed, and whether the release renders over an adopted layer (then its payload is needed).
   */
  async newest(
    namespace: string,
    release: string,
  ): Promise<
    { summary: RecordSummary; digest: string; olderDeployed: boolean; adopted: boolean } | undefined
  > {
    const [head, ...older] = await this.heads(namespace, release);
    const annotations = head?.metadata.annotations ?? {};
    return (
      head && {
        summary: summaryOf(head),
        digest: annotations[ANNOTATION.digest] ?? '',
        olderDeployed: older.some((h) => summaryOf(h).status === 'deployed'),
        adopted: annotations[ANNOTATION.adoptedChart] !== undefined,
      }
    );
  }

  private async heads(namespace: string | undefined, release?: string): Promise<LiveObject[]> {
    const selector = [
      `${LABEL.owner}=berth`,
      `${LABEL.chunk}=0`,
      ...(release ? [`${LABEL.release}=${release}`] : []),
    ].join(',');
    const heads = await this.client.listMetadata({ ...SECRET, namespace, labelSelector: selector });
    const revision = (head: LiveObject) => Number(head.metadata.labels?.[LABEL.revision]);
    return heads.sort((a, b) => revision(b) - revision(a));
  }

  async latest(namespace: string, release: string): Promise<ReleaseRecord | undefined> {
    const [newest] = await this.summaries(namespace, release);
    return newest ? this.load(namespace, release, newest.revision) : undefined;
  }

  async remove(namespace: string, release: string, revision: number): Promise<void> {
    const head = await this.client.get({ ...SECRET, namespace, name: recordName(release, revision) });
    const count = Number(head?.metadata.annotations?.[ANNOTATION.chunks] ?? '1');
    for (let chunk = 0; chunk < count; chunk++) {
      await this.client.delete({ ...SECRET, namespace, name: recordName(release, revision, chunk) });
    }
    await this.client.delete({ ...SECRET, namespace, name: credentialsName(release, revision) });
  }

  /** Keep the newest `keep` revisions; the deployed one is never pruned. */
  async prune(namespace: string, release: string, keep: number): Promise<number[]> {
    const all = await this.summaries(namespace, release);
    const doomed = all.slice(keep).filter((s) => s.status !== 'deployed');
    for (const s of doomed) await this.remove(namespace, release, s.revision);
    return doomed.map((s) => s.revision);
  }
}
