/**
 * Ten upgrades of one release started at the same moment: exactly one proceeds, the nine others
 * are refused with the lock message (exit 3) and change nothing.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { createTestNamespace, deleteNamespace, e2eEnv, kubectlJson } from '../e2e/support/cluster.ts';
import { Transcript, writeFigures } from './support/harness.ts';
import { historyProblems, scanForSecrets } from './support/records.ts';

const WRITERS = 10;
const LOCKED = /^error: release lf is locked by berth\/[^/\s]+\/\d+\/\w+ since \d{4}-\d\d-\d\dT[\d:.]+Z$/m;

let ns = '';
after(() => deleteNamespace(ns));

test(`${WRITERS} simultaneous upgrades of one release: one proceeds, the others get the lock message`, async () => {
  const runs = new Transcript(() => e2eEnv().kubeconfig);
  ns = await createTestNamespace('lock');
  assert.equal((await runs.run(['install', 'lf', 'langfuse', '-n', ns])).code, 0);
  // Four web replicas roll one at a time with minReadySeconds: the winner holds the lock for
  // seconds, longer than the others take to start.
  const args = ['upgrade', 'lf', 'langfuse', '-n', ns, '--set', 'services.web.replicas=4'];
  const results = await Promise.all(Array.from({ length: WRITERS }, () => runs.run(args)));

  const proceeded = results.filter((r) => r.code === 0);
  const refused = results.filter((r) => r.code === 3 && LOCKED.test(r.stderr));
  const other = results.filter((r) => !proceeded.includes(r) && !refused.includes(r));
  const history = JSON.parse((await runs.run(['history', 'lf', '-n', ns, '-o', 'json'])).stdout);
  const scan = await scanForSecrets([ns], new Map(runs.texts.map((text, i) => [`output ${i}`, text])));
  writeFigures('lock', {
    writers: WRITERS,
    proceeded: proceeded.length,
    lockMessage: refused.length,
    other: other.map((r) => ({ code: r.code, stderr: r.stderr.trim().split('\n').slice(-2) })),
    revisions: history.length,
    secretScan: { ...scan, leaks: scan.leaks.length },
  });

  assert.deepEqual(other, [], 'every run either proceeded or got the lock message');
  assert.equal(proceeded.length, 1);
  assert.equal(refused.length, WRITERS - 1);
  assert.match(proceeded[0]!.stdout, /release lf is deployed at revision 2/);
  for (const r of refused) {
    assert.equal(r.stdout, '');
    assert.equal(r.stderr.split('\n').filter((line) => line.startsWith('error:')).length, 1);
  }
  assert.deepEqual(
    history.map((h: { revision: number; status: string }) => `${h.revision}:${h.status}`),
    ['1:superseded', '2:deployed'],
  );
  assert.deepEqual(await historyProblems(ns, 'lf', { deployedLast: true }), []);
  const web = await kubectlJson<{ spec: { replicas: number } }>(['get', 'deployment', 'lf-web', '-n', ns]);
  assert.equal(web.spec.replicas, 4);
  assert.deepEqual(scan.leaks, []);
});
