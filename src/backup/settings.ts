/** A release's backup settings and platform version, read from what its records keep. */
import { createHash } from 'node:crypto';
import { REDACTED } from '../plan/redact.ts';
import type { KubeObject } from '../render/model.ts';
import { type BackupValues, backupSchema } from '../values/vocabulary/backup.ts';

function withoutRedacted(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutRedacted);
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== REDACTED)
        .map(([k, v]) => [k, withoutRedacted(v)]),
    );
  return value;
}

/** `backup.*` of a release's recorded user values (a redacted Secret key name falls back to its default). */
export function backupSettings(userValues: Record<string, unknown>): BackupValues {
  const parsed = backupSchema.safeParse(withoutRedacted(userValues.backup ?? {}));
  return parsed.success ? parsed.data : backupSchema.parse({});
}

interface PodOwner {
  spec?: {
    template?: { spec?: { containers?: { image?: string }[]; initContainers?: { image?: string }[] } };
  };
}

/**
 * What "the platform version" means for data: the blueprint version and the images of everything
 * outside the bundled dependencies (the code that migrates schemas when a new version starts).
 * Two revisions with the same value run the same schema.
 */
export function platformVersion(
  blueprint: { readonly version: string },
  manifests: readonly { readonly stage: string; readonly object: KubeObject }[],
): string {
  const images = new Set<string>();
  for (const { stage, object } of manifests) {
    if (stage === 'dependencies') continue;
    const spec = (object as PodOwner).spec?.template?.spec;
    for (const c of [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])])
      if (c.image) images.add(c.image);
  }
  const digest = createHash('sha256')
    .update([...images].sort().join('\n'))
    .digest('hex')
    .slice(0, 12);
  return `${blueprint.version}+${digest}`;
}
