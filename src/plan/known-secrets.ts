/** The secret values of a release that must never show in anything berth prints or writes. */
import type { ClusterApi } from '../kube/cluster-api.ts';
import { instanceSelector } from '../release/labels.ts';
import { sensitiveSecretValues } from './redact.ts';

/**
 * Every generated or credential-named value of the release's Secrets, as the cluster holds them
 * now (kept Secrets of pruned dependencies included).
 */
export async function releaseSecretValues(
  client: ClusterApi,
  namespace: string,
  release: string,
): Promise<string[]> {
  const secrets = await client.list({
    apiVersion: 'v1',
    kind: 'Secret',
    namespace,
    labelSelector: instanceSelector(release),
  });
  return secrets.flatMap((secret) => sensitiveSecretValues(secret));
}
