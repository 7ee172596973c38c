/**
 * The API server dies during the readiness wait: berth says so while it retries, and the revision
 * ends failed, never "complete". A cluster of its own, since this test kills its API server.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { down, status, up } from '../../src/local/index.ts';
import { BERTH_BIN } from '../support/cli.ts';
import { e2eEnv, kubectlJson, waitFor } from './support/cluster.ts';

interface Run {
  output: () => string;
  exit: Promise<number | null>;
}

function start(args: readonly string[], kubeconfig: string): Run {
  const child = spawn(BERTH_BIN, args, {
    env: { ...process.env, KUBECONFIG: kubeconfig },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return { output: () => output, exit: new Promise((resolve) => child.on('close', resolve)) };
}

describe('a readiness wait through a dead API server', () => {
  let dir: string;
  let stateDir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'berth-e2e-apifault-'));
    stateDir = join(dir, 'cluster');
  });
  after(async () => {
    await down({ stateDir }).catch(() => {});
    await rm(dir, { recursive: true, force: true });
  });

  test('progress names the unreachable server and the revision is recorded failed', async () => {
    const binDir = e2eEnv().controlPlaneBinDir;
    const info = await up({ stateDir, binDir });
    const port = new URL(info.server).port;
    // A request no node can meet keeps the router Deployment waiting until the time-out.
    const run = start(
      [
        'install',
        'mr',
        'model-router',
        '-n',
        'apifault',
        '--create-namespace',
        '--skip-preflight',
        '--timeout',
        '100s',
        '--set',
        'services.router.resources.requests.cpu=200',
        '--set',
        'services.router.resources.limits.cpu=200',
      ],
      info.kubeconfig,
    );
    await waitFor(() => /waiting for Deployment\/mr-router/.test(run.output()) || undefined, {
      timeoutMs: 60_000,
      what: 'the router wait',
    }).catch((error: Error) => assert.fail(`${error.message}\n${run.output()}`));
    const apiserver = (await status({ stateDir })).components.find((c) => c.name === 'kube-apiserver');
    assert.ok(apiserver?.pid, 'the API server runs');
    process.kill(apiserver.pid, 'SIGKILL');

    const unreachable = new RegExp(
      `API server unreachable \\((ECONNREFUSED|ECONNRESET) 127\\.0\\.0\\.1:${port}\\), retrying… \\d+s`,
    );
    await waitFor(() => unreachable.test(run.output()) || undefined, {
      timeoutMs: 40_000,
      what: 'the unreachable message',
    }).catch((error: Error) => assert.fail(`${error.message}\n${run.output()}`));
    const restarted = await up({ stateDir, binDir });
    assert.equal(restarted.server, info.server);

    const code = await run.exit;
    assert.equal(code, 3, run.output());
    const records = await kubectlJson<{
      items: { metadata: { labels: Record<string, string>; annotations?: Record<string, string> } }[];
    }>(['get', 'secrets', '-n', 'apifault', '-l', 'berth.dev/chunk=0', '--kubeconfig', info.kubeconfig]);
    assert.equal(records.items.length, 1);
    const head = records.items[0]!.metadata;
    assert.equal(head.labels['berth.dev/status'], 'failed', JSON.stringify(head));
    assert.doesNotMatch(head.annotations?.['berth.dev/description'] ?? '', /complete/);
  });
});
