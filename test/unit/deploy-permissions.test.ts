/** A refusal of the API server during install or upgrade points at preflight's full list of permissions. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { withPermissionsHint } from '../../src/actions/deploy.ts';
import { getBlueprint } from '../../src/blueprints/registry.ts';
import { KubeApiError } from '../../src/kube/errors.ts';
import { apiError } from '../support/fake-cluster.ts';

test('a 403 keeps its message and gains the preflight hint; other failures are left as they are', async () => {
  const blueprint = await getBlueprint('model-router');
  const install = { kind: 'install' as const, blueprint, values: {}, rotateSecrets: [] };
  const forbidden = apiError('get', 'Lease', 403, 'leases "berth.gw.lock" is forbidden');
  const hinted = withPermissionsHint(forbidden, 'team', install) as KubeApiError;
  assert.ok(hinted instanceof KubeApiError);
  assert.equal(hinted.status, 403);
  assert.equal(hinted.message, forbidden.message);
  assert.equal(hinted.exitCode, forbidden.exitCode);
  assert.equal(hinted.hint, 'berth preflight model-router -n team lists every permission the install needs');

  const broken = apiError('get', 'Lease', 500, 'etcd is gone');
  assert.equal(withPermissionsHint(broken, 'team', install), broken);
  const rollback = { kind: 'rollback' as const };
  assert.equal(withPermissionsHint(forbidden, 'team', rollback), forbidden);
});
