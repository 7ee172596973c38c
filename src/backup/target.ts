/** Where backups go: a PersistentVolumeClaim in the release namespace, or an S3 bucket and prefix. */
import { BerthError } from '../errors.ts';

export interface S3Settings {
  /** `https://s3.amazonaws.com`, or any S3-compatible endpoint. */
  readonly endpoint: string;
  /** Secret in the release namespace with the target's access and secret key. */
  readonly existingSecret: string;
  readonly secretKeys: { readonly accessKey: string; readonly secretKey: string };
}

export type Target =
  | { readonly kind: 'pvc'; readonly claim: string }
  | { readonly kind: 's3'; readonly bucket: string; readonly prefix: string; readonly s3: S3Settings };

export const DEFAULT_S3: S3Settings = {
  endpoint: 'https://s3.amazonaws.com',
  existingSecret: '',
  secretKeys: { accessKey: 'access-key', secretKey: 'secret-key' },
};

/** `pvc:<release>-backups` when nothing else is asked for. */
export function defaultTarget(release: string): string {
  return `pvc:${release}-backups`;
}

const CLAIM = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

type TargetText =
  | { readonly kind: 'pvc'; readonly claim: string }
  | Omit<Extract<Target, { kind: 's3' }>, 's3'>;

/**
 * The syntax of `pvc:<claim>` or `s3://bucket/prefix`, which needs no release: a `--to` flag is
 * checked with it before anything connects.
 */
export function parseTargetText(text: string, field: string): TargetText {
  const invalid = (why: string) =>
    new BerthError('BERTH_BACKUP_TARGET', `${field}: ${why}, got "${text}"`, {
      hint: 'use pvc:<claim> (a PersistentVolumeClaim in the release namespace) or s3://<bucket>/<prefix>',
    });
  if (text.startsWith('pvc:')) {
    const claim = text.slice('pvc:'.length);
    if (!CLAIM.test(claim) || claim.length > 253) throw invalid('expected pvc:<claim name>');
    return { kind: 'pvc', claim };
  }
  if (text.startsWith('s3://')) {
    const [bucket = '', ...rest] = text.slice('s3://'.length).split('/');
    if (!BUCKET.test(bucket)) throw invalid('expected s3://<bucket>/<prefix> with a valid bucket name');
    return { kind: 's3', bucket, prefix: rest.filter(Boolean).join('/') };
  }
  throw invalid('expected pvc:<claim> or s3://<bucket>/<prefix>');
}

/** Parses a target; `field` names the flag or value in errors. An S3 target needs its credentials' Secret. */
export function parseTarget(text: string, field: string, s3: S3Settings): Target {
  const target = parseTargetText(text, field);
  if (target.kind === 'pvc') return target;
  if (!s3.existingSecret)
    throw new BerthError(
      'BERTH_BACKUP_TARGET',
      `${field}: an S3 target needs the Secret with its credentials (--s3-secret, or backup.s3.existingSecret)`,
    );
  return { ...target, s3 };
}

export function describeTarget(target: Target): string {
  return target.kind === 'pvc'
    ? `pvc:${target.claim}`
    : `s3://${[target.bucket, target.prefix].filter(Boolean).join('/')}`;
}
