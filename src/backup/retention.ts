/**
 * Retention of scheduled backups: a daily Job removes the release's backups older than
 * `backup.retention` days from the schedule's target, and berth forgets their records by the same
 * rule, so no record offers a backup whose files are gone.
 */
import type { BackupValues } from '../values/vocabulary/backup.ts';
import type { BackupRecord } from './record.ts';
import { describeTarget, parseTarget, type Target } from './target.ts';

const DAY_MS = 24 * 3600_000;

/** `mc rm --older-than` works on claims (local paths) and buckets alike. */
export function retentionScript(target: Target, release: string, days: number): string {
  const path =
    target.kind === 'pvc'
      ? `/backup/${release}/`
      : `dst/${[target.bucket, target.prefix, release].filter(Boolean).join('/')}/`;
  return ['set -eu', `mc rm --recursive --force --older-than ${days}d "${path}" || true`].join('\n');
}

/** The finished backups on the scheduled target that the retention Job has removed (or is about to). */
export function expiredBackups(
  backups: readonly BackupRecord[],
  release: string,
  settings: BackupValues,
  now: number,
): BackupRecord[] {
  if (!settings.schedule) return [];
  let target: string;
  try {
    target = describeTarget(parseTarget(settings.to || `pvc:${release}-backups`, 'backup.to', settings.s3));
  } catch {
    return [];
  }
  const cutoff = now - settings.retention * DAY_MS;
  return backups.filter(
    (b) => b.status !== 'running' && b.target === target && Date.parse(b.startedAt) < cutoff,
  );
}
