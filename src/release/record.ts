/**
 * A release record: one per revision, everything needed to show, diff and roll back that revision —
 * and never a secret value. Stored gzip-compressed and split into chunks, so no size limit bites.
 */

import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import { sortKeys } from '../plan/normalize.ts';
import type { KubeObject, Stage } from '../render/model.ts';
import { secretDigests } from './redact.ts';

export const RELEASE_STATUSES = [
  'pending-install',
  'pending-upgrade',
  'pending-rollback',
  'deployed',
  'superseded',
  'failed',
  'uninstalling',
] as const;
export type ReleaseStatus = (typeof RELEASE_STATUSES)[number];

export interface RecordedManifest {
  readonly stage: Stage;
  readonly component?: string | undefined;
  /** The object as applied; a Secret carries its key names only (see `secretKeys`). */
  readonly object: KubeObject;
  readonly secretKeys?: readonly string[];
  /** For a Secret: a salted sha256 of each value (see secretDigests), so drift sees changed values. */
  readonly secretDigests?: Readonly<Record<string, string>>;
}

export interface ReleaseRecord {
  readonly release: string;
  readonly namespace: string;
  readonly revision: number;
  status: ReleaseStatus;
  readonly blueprint: { readonly name: string; readonly version: string; readonly appVersion: string };
  readonly berthVersion: string;
  /** What the user supplied (files and --set merged), with secret-looking values redacted. */
  readonly values: Record<string, unknown>;
  readonly manifests: readonly RecordedManifest[];
  /** sha256 over the manifests (and over each Secret's data, so a rotation shows as a change). */
  readonly digest: string;
  description: string;
  readonly notes: readonly string[];
  readonly startedAt: string;
  finishedAt?: string;
  /** For rollbacks: the revision whose manifests were restored. */
  readonly rollbackOf?: number;
  /** The backup this revision relies on (taken or checked before an upgrade; src/backup). */
  readonly backup?: string;
  /** For a release taken over from Helm: the layer the user's values render over. */
  readonly adopted?: AdoptedLayer;
}

/**
 * What `berth adopt helm` derived from the chart install — its values mapped, the chart's data
 * layout, the patches that keep immutable fields — holding no credential. Every later revision
 * renders the user's values over it, so upgrades need no file from the adoption.
 */
export interface AdoptedLayer {
  /** `<chart name> <version>` that was adopted. */
  readonly chart: string;
  readonly values: Record<string, unknown>;
}

/** Keep chunks well below etcd's 1.5 MiB object limit, whatever the payload. */
export const CHUNK_BYTES = 512 * 1024;

export function encodeRecord(record: ReleaseRecord): string[] {
  const packed = gzipSync(Buffer.from(JSON.stringify(record)), { level: 9 }).toString('base64');
  const chunks: string[] = [];
  for (let offset = 0; offset < packed.length; offset += CHUNK_BYTES)
    chunks.push(packed.slice(offset, offset + CHUNK_BYTES));
  return chunks.length ? chunks : [''];
}

export function decodeRecord(chunks: readonly string[]): ReleaseRecord {
  return JSON.parse(gunzipSync(Buffer.from(chunks.join(''), 'base64')).toString('utf8')) as ReleaseRecord;
}

/** Strip Secret values before anything reaches a record. */
export function recordedManifest(manifest: {
  stage: Stage;
  component?: string | undefined;
  object: KubeObject;
}): RecordedManifest {
  if (manifest.object.kind !== 'Secret')
    return { stage: manifest.stage, component: manifest.component, object: manifest.object };
  const { data, stringData, ...rest } = manifest.object as KubeObject & {
    data?: object;
    stringData?: object;
  };
  const secretKeys = [...new Set([...Object.keys(data ?? {}), ...Object.keys(stringData ?? {})])].sort();
  return {
    stage: manifest.stage,
    component: manifest.component,
    object: rest as KubeObject,
    secretKeys,
    secretDigests: secretDigests(manifest.object),
  };
}

/**
 * What tells two revisions apart: their manifests, and the values berth reads from the record
 * rather than from the cluster (`backup.*`: where `berth backup` writes, what an upgrade requires),
 * so a change of those alone is a revision too. Absent settings leave the digest of the manifests.
 */
export function manifestDigest(
  manifests: readonly { object: KubeObject }[],
  recordedSettings: Record<string, unknown> = {},
): string {
  const hash = createHash('sha256');
  for (const { object } of manifests) hash.update(JSON.stringify(object)).update('\n');
  for (const [key, value] of Object.entries(recordedSettings))
    if (value !== undefined) hash.update(`${key}=${JSON.stringify(sortKeys(value))}\n`);
  return hash.digest('hex');
}

/** A revision's digest: its manifests and the recorded settings of the user's values. */
export function revisionDigest(
  manifests: readonly { object: KubeObject }[],
  values: Record<string, unknown>,
): string {
  return manifestDigest(manifests, { backup: values.backup });
}
