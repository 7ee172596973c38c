/** A change of the recorded settings alone (backup.*) is a revision: plan says so and counts it as a change. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { getBlueprint } from '../../src/blueprints/registry.ts';
import { hasChanges, planDocument, planUpgrade } from '../../src/plan/plan.ts';
import { deploy } from '../../src/release/engine.ts';
import { deployOptions, FakeCluster } from '../support/fake-cluster.ts';

test('plan of a backup.*-only change: no object changes, yet a new revision, and --exit-code sees it', async () => {
  const cluster = new FakeCluster();
  const target = { client: cluster.client, namespace: 'shop', release: 'mr' };
  const blueprint = await getBlueprint('model-router');
  await deploy(target, { kind: 'install', blueprint, values: {}, rotateSecrets: [] }, deployOptions());

  const same = await planUpgrade(target, { blueprint, values: {} });
  assert.equal(same.recordOnly, undefined);
  assert.equal(hasChanges(same), false);

  const values = { backup: { to: 's3://backups/berth', s3: { existingSecret: 's3-creds' } } };
  const planned = await planUpgrade(target, { blueprint, values });
  assert.deepEqual(planned.summary, { ...same.summary });
  assert.equal(planned.recordOnly, true);
  assert.equal(hasChanges(planned), true);
  assert.ok(
    planned.notes.some((n) =>
      /records revision 2: the recorded settings \(backup\.\*\) differ from revision 1/.test(n),
    ),
  );
  assert.equal(planDocument(planned).recordOnly, true);

  const upgraded = await deploy(
    target,
    { kind: 'upgrade', blueprint, values, rotateSecrets: [] },
    deployOptions(),
  );
  assert.equal(upgraded.revision, 2, 'what plan announced is what upgrade did');
});
