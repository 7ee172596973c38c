/**
 * The bad-input corpus (test/corpus/cases.yaml), offline: every case runs the real CLI as a child
 * process, four at a time, with KUBECONFIG pointing at an API server that does not answer, so an
 * input error reported as exit 1 was caught before berth tried to connect (and wrote nothing).
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { judge, makeFixtures, offlineCases, runCase, substitute } from '../corpus/runner.ts';

const fixtures = makeFixtures();
after(() => fixtures.cleanup());

describe('bad input corpus', { concurrency: 4 }, () => {
  test('has at least 300 cases, each id once', () => {
    assert.ok(offlineCases.length >= 300, `${offlineCases.length} cases`);
    assert.equal(new Set(offlineCases.map((c) => c.id)).size, offlineCases.length);
  });

  for (const c of offlineCases) {
    test(`${c.class}: ${c.id}`, async () => {
      const args = substitute(c.args, { dir: fixtures.dir, unreachable: fixtures.unreachable });
      const run = await runCase(args, {
        env: { KUBECONFIG: fixtures.unreachable, BERTH_DEBUG: '' },
        stdin: c.stdin,
        dir: fixtures.dir,
      });
      const problems = judge(c, run);
      assert.deepEqual(problems, [], `berth ${args.join(' ')}\n${run.stderr.slice(0, 2000)}`);
    });
  }
});
