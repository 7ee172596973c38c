/**
 * Installs, upgrades and rollbacks through a proxy that answers a seeded fraction of requests with
 * 409, 429 (Retry-After) or 5xx: each run completes, or fails with one clean error line (an install
 * or upgrade with --atomic having rolled back), and never leaves a half-recorded revision; a failed
 * run's retry without faults succeeds. The seed fixes the fault sequence; which request meets which
 * fault still depends on the order concurrent requests arrive in.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createTestNamespace, deleteNamespace, e2eEnv } from '../e2e/support/cluster.ts';
import { FAULT_CODES, type FaultCode, type FaultProxy, startFaultProxy } from './support/fault-proxy.ts';
import { seededRandom, suiteSeed, Transcript, workerStep, writeFigures } from './support/harness.ts';
import { historyProblems, recordedRevisions, scanForSecrets } from './support/records.ts';

const RATE = Number(process.env.BERTH_RELIABILITY_FAULT_RATE ?? 0.1);
const NAMESPACES = 4;
const seed = suiteSeed('API faults through a proxy');
const runs = new Transcript(() => e2eEnv().kubeconfig);
const namespaces: string[] = [];
let proxy: FaultProxy;
let dir: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'berth-reliability-proxy-'));
  const env = e2eEnv();
  proxy = await startFaultProxy({
    stateDir: env.stateDir,
    kubeconfig: env.kubeconfig,
    random: seededRandom(seed),
    rate: RATE,
    dir,
  });
});

after(async () => {
  await proxy?.close();
  for (const ns of namespaces) await deleteNamespace(ns);
  rmSync(dir, { recursive: true, force: true });
});

interface Run {
  readonly command: string;
  readonly requests: number;
  readonly faults: Partial<Record<FaultCode, number>>;
  readonly outcome: 'completed' | 'failed cleanly' | 'misbehaved';
  readonly error?: string;
  readonly retried?: boolean;
  readonly problems: string[];
}

/**
 * An `error:` line naming what failed (with --atomic, a second one saying what was put back), exit
 * 1 or 3, no internal error, no stack trace.
 */
function cleanFailure(code: number, stderr: string): boolean {
  const errors = stderr.split('\n').filter((line) => line.startsWith('error:'));
  return (code === 1 || code === 3) && errors.length >= 1 && !/internal error|^\s+at /m.test(stderr);
}

/**
 * With --atomic the deployed revision must be the newest (a failure was rolled back); a failed
 * rollback (no --atomic) rightly leaves the revision before it deployed.
 */
async function checked(ns: string, command: string): Promise<string[]> {
  const revisions = await recordedRevisions(ns, 'lf').catch(() => undefined);
  // A first install that failed with --atomic leaves no record at all: that is clean.
  if (revisions?.length === 0) return [];
  return historyProblems(ns, 'lf', { deployedLast: command !== 'rollback' });
}

test(`install, upgrade and rollback with ${RATE * 100}% of API requests failing`, async () => {
  const results: Run[] = [];
  for (let n = 0; n < NAMESPACES; n++) {
    const ns = await createTestNamespace('faults');
    namespaces.push(ns);
    const commands = [
      ['install', 'lf', 'langfuse', '-n', ns, '--atomic', ...workerStep(0)],
      ['upgrade', 'lf', 'langfuse', '-n', ns, '--atomic', ...workerStep(1)],
      ['upgrade', 'lf', 'langfuse', '-n', ns, '--atomic', ...workerStep(2)],
      ['rollback', 'lf', '-n', ns],
    ];
    for (const args of commands) {
      proxy.reset();
      const result = await runs.run(args, proxy.kubeconfig);
      const { requests, faults } = proxy.counts();
      const problems = await checked(ns, args[0]!);
      const outcome =
        result.code === 0
          ? 'completed'
          : cleanFailure(result.code, result.stderr)
            ? 'failed cleanly'
            : 'misbehaved';
      const error = result.stderr.split('\n').find((line) => line.startsWith('error:'));
      let retried: boolean | undefined;
      if (result.code !== 0) {
        // The same command without faults must finish what the failed run left.
        const retry = await runs.run(args);
        retried = retry.code === 0;
        if (!retried) problems.push(`retry exit ${retry.code}: ${retry.stderr.trim().split('\n').at(-1)}`);
        problems.push(...(await checked(ns, args[0]!)).map((p) => `after the retry: ${p}`));
      }
      results.push({
        command: args[0]!,
        requests,
        faults,
        outcome,
        ...(error ? { error: error.replace(ns, '<ns>') } : {}),
        ...(retried !== undefined ? { retried } : {}),
        problems,
      });
    }
  }

  const texts = new Map(runs.texts.map((text, i) => [`output ${i}`, text]));
  const scan = await scanForSecrets(namespaces, texts);
  const total = (code: FaultCode) => results.reduce((sum, r) => sum + (r.faults[code] ?? 0), 0);
  writeFigures('proxy', {
    seed,
    rate: RATE,
    runs: results.length,
    requests: results.reduce((sum, r) => sum + r.requests, 0),
    faults: Object.fromEntries(FAULT_CODES.map((code) => [code, total(code)])),
    completed: results.filter((r) => r.outcome === 'completed').length,
    failedCleanly: results.filter((r) => r.outcome === 'failed cleanly').length,
    misbehaved: results.filter((r) => r.outcome === 'misbehaved').length,
    halfRecorded: results.filter((r) => r.problems.length > 0).length,
    secretScan: { ...scan, leaks: scan.leaks.length },
    results,
  });
  assert.deepEqual(
    results.filter((r) => r.outcome === 'misbehaved' || r.problems.length > 0),
    [],
    `seed ${seed}`,
  );
  assert.ok(
    FAULT_CODES.every((code) => total(code) > 0),
    'every kind of fault was injected',
  );
  assert.deepEqual(scan.leaks, []);
});
