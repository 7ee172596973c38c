/** backup.* lives in the release record: a change of it alone is a revision, and berth backup reads it. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { resolveTarget } from '../../src/backup/run.ts';
import { getBlueprint } from '../../src/blueprints/registry.ts';
import { deploy } from '../../src/release/engine.ts';
import { ReleaseStore } from '../../src/release/store.ts';
import { deployOptions, FakeCluster } from '../support/fake-cluster.ts';

const s3 = { to: 's3://backups/berth', s3: { existingSecret: 's3-creds' } };

describe('backup settings in the release record', () => {
  test('a change of backup.* alone makes a revision whose record berth backup uses; the same values again do not', async () => {
    const cluster = new FakeCluster();
    const t = { client: cluster.client, namespace: 'shop', release: 'lf' };
    const blueprint = await getBlueprint('langfuse');
    const run = (kind: 'install' | 'upgrade', values: Record<string, unknown>) =>
      deploy(t, { kind, blueprint, values, rotateSecrets: [] }, deployOptions());
    await run('install', {});
    const changed = await run('upgrade', { backup: s3 });
    assert.equal(changed.status, 'deployed');
    assert.equal(changed.revision, 2);
    const record = await new ReleaseStore(cluster.client).load('shop', 'lf', 2);
    assert.deepEqual(resolveTarget(record!, undefined), {
      kind: 's3',
      bucket: 'backups',
      prefix: 'berth',
      s3: {
        endpoint: 'https://s3.amazonaws.com',
        existingSecret: 's3-creds',
        secretKeys: { accessKey: 'access-key', secretKey: 'secret-key' },
      },
    });
    // Key order does not matter, only the settings.
    const same = await run('upgrade', { backup: { s3: s3.s3, to: s3.to } });
    assert.equal(same.status, 'unchanged');
    assert.equal(same.revision, 2);
  });
});
