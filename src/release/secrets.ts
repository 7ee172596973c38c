/**
 * Generated secrets are created once and then read back from the cluster on every upgrade and
 * rollback, so a password never changes unless the user asks (`--rotate-secret`).
 */
import type { ClusterApi } from '../kube/cluster-api.ts';
import { GENERATED_KEYS_ANNOTATION } from '../render/annotations.ts';
import { freshSecretValues, type SecretValueSource } from '../render/config-objects.ts';
import { instanceSelector } from './labels.ts';

export type StoredSecrets = ReadonlyMap<string, Readonly<Record<string, string>>>;

/** The current data of every Secret of the release that holds generated keys. */
export async function readGeneratedSecrets(
  client: ClusterApi,
  namespace: string,
  release: string,
): Promise<StoredSecrets> {
  const secrets = await client.list({
    apiVersion: 'v1',
    kind: 'Secret',
    namespace,
    labelSelector: instanceSelector(release),
  });
  const stored = new Map<string, Record<string, string>>();
  for (const secret of secrets) {
    if (!secret.metadata.annotations?.[GENERATED_KEYS_ANNOTATION]) continue;
    const data = (secret.data ?? {}) as Record<string, string>;
    stored.set(
      secret.metadata.name,
      Object.fromEntries(
        Object.entries(data).map(([key, value]) => [key, Buffer.from(value, 'base64').toString('utf8')]),
      ),
    );
  }
  return stored;
}

/** Stored values first; fresh random values for new keys and for secrets being rotated. */
export function keptSecretValues(stored: StoredSecrets, rotate: readonly string[]): SecretValueSource {
  return (secretName, key, spec) => {
    const kept = rotate.includes(secretName) ? undefined : stored.get(secretName)?.[key];
    return kept ?? freshSecretValues(secretName, key, spec);
  };
}
