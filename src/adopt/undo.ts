/**
 * `berth adopt helm --undo`: hand an adopted release back to Helm. Helm's kept records become
 * Helm's again, its objects get Helm's ownership marks and field ownership back, berth's records
 * go. Objects and data stay where they are; objects only berth created are listed, not deleted.
 */
import { BerthError } from '../errors.ts';
import { describeRef, refOf } from '../kube/types.ts';
import type { ReleaseTarget } from '../release/engine.ts';
import { acquireLock } from '../release/lock.ts';
import { ReleaseStore } from '../release/store.ts';
import { ADOPTED_OWNER, decodeHelmRecord, helmRecordSecrets, relabelHelmRecords } from './helm-record.ts';
import { HELM_OWNERSHIP, handBackFields } from './managers.ts';

export interface HandBack {
  readonly release: string;
  readonly namespace: string;
  readonly helmRevision: number;
  /** Helm's objects given back. */
  readonly returned: readonly string[];
  /** Objects berth created that Helm does not know: left in place. */
  readonly leftInPlace: readonly string[];
  readonly removedRevisions: readonly number[];
}

export async function handBackToHelm(target: ReleaseTarget): Promise<HandBack> {
  const { client, namespace, release } = target;
  const store = new ReleaseStore(client);
  const summaries = await store.summaries(namespace, release);
  // An adoption whose berth revision failed left Helm's records as they were: hand back all the same.
  const adopted = await helmRecordSecrets(client, namespace, release, ADOPTED_OWNER);
  const records =
    adopted.length || !summaries.length
      ? adopted
      : await helmRecordSecrets(client, namespace, release, 'helm');
  const deployed = records.find((s) => s.metadata.labels?.status === 'deployed');
  if (!deployed) {
    throw new BerthError(
      'BERTH_ADOPT_UNDO',
      `release ${release} in namespace ${namespace} was not adopted from Helm by berth (no Helm record labelled owner=${ADOPTED_OWNER},name=${release})`,
    );
  }
  const helm = decodeHelmRecord(deployed);
  const operation = helm.applyMethod === 'ssa' ? 'Apply' : 'Update';
  const lock = await acquireLock(client, namespace, release);
  try {
    const latest = summaries[0] ? await store.load(namespace, release, summaries[0].revision) : undefined;
    const returned: string[] = [];
    for (const object of helm.objects) {
      const ref = { ...object, namespace };
      if (!(await client.get(ref))) continue;
      await client.patch(ref, {
        metadata: {
          labels: { [HELM_OWNERSHIP.label]: 'Helm' },
          annotations: {
            [HELM_OWNERSHIP.releaseName]: release,
            [HELM_OWNERSHIP.releaseNamespace]: namespace,
          },
        },
      });
      const live = await client.get(ref);
      const managedFields =
        live && handBackFields(live.metadata.managedFields ?? [], live.apiVersion, operation);
      if (managedFields) await client.patch(ref, { metadata: { managedFields } });
      returned.push(describeRef(ref));
    }
    const helmKeys = new Set(helm.objects.map((o) => `${o.kind}/${o.name}`));
    const leftInPlace = (latest?.manifests ?? [])
      .map((m) => refOf(m.object))
      .filter((ref) => !helmKeys.has(`${ref.kind}/${ref.name}`))
      .map((ref) => describeRef({ ...ref, namespace }));
    await relabelHelmRecords(client, records, 'helm');
    for (const summary of summaries) await store.remove(namespace, release, summary.revision);
    return {
      release,
      namespace,
      helmRevision: helm.revision,
      returned,
      leftInPlace,
      removedRevisions: summaries.map((s) => s.revision),
    };
  } finally {
    await lock.release().catch(() => undefined);
  }
}
