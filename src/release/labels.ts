/** Names and labels of the objects berth keeps in the release namespace. */

export const LABEL = {
  owner: 'berth.dev/owner',
  release: 'berth.dev/release',
  revision: 'berth.dev/revision',
  status: 'berth.dev/status',
  chunk: 'berth.dev/chunk',
} as const;

export const ANNOTATION = {
  blueprint: 'berth.dev/blueprint',
  appVersion: 'berth.dev/app-version',
  updated: 'berth.dev/updated',
  description: 'berth.dev/description',
  chunks: 'berth.dev/chunks',
  /** The manifest digest of the revision, so a no-op upgrade needs no record payload. */
  digest: 'berth.dev/digest',
  /** The chart a release was adopted from: its revisions render over a layer the record holds. */
  adoptedChart: 'berth.dev/adopted-chart',
  resourcePolicy: 'berth.dev/resource-policy',
  specHash: 'berth.dev/spec-hash',
} as const;

export const RECORD_SECRET_TYPE = 'berth.dev/release.v1';
/** The credentials taken out of a record's manifests, needed to apply that revision again. */
export const CREDENTIALS_SECRET_TYPE = 'berth.dev/release-credentials.v1';

/** `berth.<release>.v<revision>` (+ `.<chunk>` for the continuation chunks). */
export function recordName(release: string, revision: number, chunk = 0): string {
  return chunk === 0 ? `berth.${release}.v${revision}` : `berth.${release}.v${revision}.${chunk}`;
}

export function credentialsName(release: string, revision: number): string {
  return `berth.${release}.v${revision}.credentials`;
}

export function lockName(release: string): string {
  return `berth.${release}.lock`;
}

/** Selects every object a release's manifests create. */
export function instanceSelector(release: string): string {
  return `app.kubernetes.io/instance=${release},app.kubernetes.io/managed-by=berth`;
}
