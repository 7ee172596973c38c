/**
 * The readiness waiter of the release engine follows objects the way it is given (a fleet run
 * shares one watch per kind and namespace) and reports every change of readiness to the stage.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeClient } from '../../src/kube/client.ts';
import type { ObjectRef } from '../../src/kube/types.ts';
import type { FollowObject } from '../../src/kube/wait.ts';
import type { ReadinessUpdate } from '../../src/release/apply.ts';
import { readinessWaiter } from '../../src/release/waiter.ts';

const REF: ObjectRef = { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'shop', name: 'lf-config' };
// Every read goes through `follow`; a call on the client itself would fail the test.
const NO_CLIENT = {} as KubeClient;

/** Reports the object missing at once and created after `delayMs`. */
function createdAfter(delayMs: number): { follow: FollowObject; followed: ObjectRef[] } {
  const followed: ObjectRef[] = [];
  const follow: FollowObject = async (ref, { onChange }) => {
    followed.push(ref);
    onChange(undefined);
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    onChange({ ...ref, metadata: { name: ref.name, namespace: ref.namespace, resourceVersion: '1' } });
  };
  return { follow, followed };
}

test('follows each object as told and reports its readiness as it changes', async () => {
  const { follow, followed } = createdAfter(20);
  const updates: ReadinessUpdate[] = [];
  const wait = readinessWaiter(NO_CLIENT, 120_000, follow);
  await wait([REF], { deadline: Date.now() + 60_000, onUpdate: (update) => updates.push(update) });
  assert.deepEqual(followed, [REF]);
  assert.deepEqual(
    updates.map((u) => [u.ref.name, u.done, u.ok]),
    [
      ['lf-config', false, false],
      ['lf-config', true, true],
    ],
  );
  assert.match(updates[0]?.message ?? '', /not found/);
});

test('a deadline already passed still leaves the objects a second', async () => {
  const { follow } = createdAfter(50);
  const wait = readinessWaiter(NO_CLIENT, 120_000, follow);
  await wait([REF], { deadline: Date.now() - 5_000, onUpdate: () => {} });
});
