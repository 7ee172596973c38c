/**
 * Global setup of the e2e suite (node --test --test-global-setup=test/e2e/global-setup.ts):
 * builds the control plane if needed (cluster/build.sh; a warm cache costs nothing), starts ONE
 * local cluster for the whole run under a fresh temp state dir, and exports through process.env
 * (inherited by every test process):
 *   KUBECONFIG, BERTH_E2E_KUBECONFIG  admin kubeconfig of that cluster (context berth-local)
 *   BERTH_E2E_STATE_DIR               its state dir (logs in <dir>/logs)
 *   BERTH_KUBECTL, BERTH_HELM         dev-tool binaries (kubectl, helm)
 *   BERTH_CONTROL_PLANE_BIN_DIR       the control plane binaries (for tests that start their own cluster)
 * globalTeardown stops the cluster and removes the state dir. BERTH_E2E_KEEP=1 keeps it running
 * (then run `down` yourself; the path is printed).
 */
import { readFileSync, rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, down, up } from '../../src/local/index.ts';

let stateDir: string | undefined;
let parentDir: string | undefined;
let tornDown = false;

const log = (message: string) => process.stderr.write(`[e2e] ${message}\n`);

/** Last resort when the runner is killed: SIGKILL the recorded process groups synchronously. */
function killSync(): void {
  if (!stateDir || tornDown) return;
  for (const name of ['kwok', 'kube-scheduler', 'kube-controller-manager', 'kube-apiserver', 'etcd']) {
    try {
      const pid = Number.parseInt(readFileSync(join(stateDir, 'pids', `${name}.pid`), 'utf8'), 10);
      if (pid > 0) process.kill(-pid, 'SIGKILL');
    } catch {
      // not started or already gone
    }
  }
}

function onSignal(signal: NodeJS.Signals): void {
  killSync();
  tornDown = true;
  if (parentDir && process.env.BERTH_E2E_KEEP !== '1') {
    try {
      rmSync(parentDir, { recursive: true, force: true, maxRetries: 3 });
    } catch {
      // best effort: it lives in the temp dir
    }
  }
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  process.kill(process.pid, signal);
}

export async function globalSetup(): Promise<void> {
  const started = Date.now();
  const tools = await build({
    onProgress: (line) => {
      if (!/cache hit|binaries:|dev tools/.test(line)) log(line);
    },
  });
  if (tools.built) log(`build finished in ${((Date.now() - started) / 1000).toFixed(0)} s`);

  parentDir = await mkdtemp(join(tmpdir(), 'berth-e2e-'));
  stateDir = join(parentDir, `e2e-${process.pid}`);
  process.once('exit', killSync);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const info = await up({ stateDir, binDir: tools.binDir });
  log(
    `local cluster ready in ${((info.timings?.ready ?? 0) / 1000).toFixed(1)} s: ${info.server} (${stateDir})`,
  );

  process.env.KUBECONFIG = info.kubeconfig;
  process.env.BERTH_E2E_KUBECONFIG = info.kubeconfig;
  process.env.BERTH_E2E_STATE_DIR = stateDir;
  process.env.BERTH_KUBECTL = join(tools.toolsDir, 'kubectl');
  process.env.BERTH_HELM = join(tools.toolsDir, 'helm');
  process.env.BERTH_CONTROL_PLANE_BIN_DIR = tools.binDir;
}

export async function globalTeardown(): Promise<void> {
  if (!stateDir || tornDown) return;
  if (process.env.BERTH_E2E_KEEP === '1') {
    log(`BERTH_E2E_KEEP=1: cluster left running; stop it with down({ stateDir: '${stateDir}' })`);
    tornDown = true;
    return;
  }
  await down({ stateDir });
  tornDown = true;
  process.off('exit', killSync);
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  if (parentDir) await rm(parentDir, { recursive: true, force: true });
}
