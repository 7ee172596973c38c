import { execFile, spawn } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { LocalClusterError } from './errors.ts';
import { buildScript } from './paths.ts';

const run = promisify(execFile);

/** The Kubernetes version the control plane is built at (see cluster/build.sh). */
export const kubernetesVersion = 'v1.35.4';

export const controlPlaneBinaries = [
  'etcd',
  'kube-apiserver',
  'kube-controller-manager',
  'kube-scheduler',
  'kwok',
] as const;
export type ControlPlaneBinary = (typeof controlPlaneBinaries)[number];

export const devToolBinaries = ['kubectl', 'helm'] as const;

export interface BinaryOptions {
  /** Directory holding the five control plane binaries. Default: $BERTH_CONTROL_PLANE_BIN_DIR, else the build cache. */
  binDir?: string;
}

async function printDir(flag: '--print-bin-dir' | '--print-tools-dir'): Promise<string> {
  const { stdout } = await run('bash', [buildScript, flag], { timeout: 30_000 });
  const dir = stdout.trim().split('\n').pop();
  if (!dir) throw new Error(`${buildScript} ${flag} printed nothing`);
  return dir;
}

/** Where the control plane binaries are (or will be once built). */
export async function resolveBinDir(options: BinaryOptions = {}): Promise<string> {
  return options.binDir ?? process.env.BERTH_CONTROL_PLANE_BIN_DIR ?? (await printDir('--print-bin-dir'));
}

/** Where kubectl and helm (dev tools for tests and benchmarks) are (or will be once extracted). */
export async function resolveToolsDir(): Promise<string> {
  return process.env.BERTH_DEV_TOOLS_BIN_DIR ?? (await printDir('--print-tools-dir'));
}

async function missingIn(dir: string, names: readonly string[]): Promise<string[]> {
  const missing: string[] = [];
  for (const name of names) {
    try {
      await access(join(dir, name), constants.X_OK);
    } catch {
      missing.push(name);
    }
  }
  return missing;
}

/** The control plane binaries missing from `binDir`. */
export function missingBinaries(binDir: string): Promise<string[]> {
  return missingIn(binDir, controlPlaneBinaries);
}

/** Throws BINARIES_MISSING unless all five binaries are in `binDir`. */
export async function assertBinaries(binDir: string): Promise<void> {
  const missing = await missingBinaries(binDir);
  if (missing.length > 0) {
    throw new LocalClusterError(
      'BINARIES_MISSING',
      `control plane binaries not built (${missing.join(', ')} missing in ${binDir})`,
      'run cluster/build.sh (about 6-7 minutes the first time), or pass build: true',
    );
  }
}

export interface BuildResult {
  binDir: string;
  toolsDir: string;
  /** Whether anything was built or extracted (false on a warm cache). */
  built: boolean;
}

/**
 * Runs cluster/build.sh: builds the control plane binaries and extracts kubectl/helm when they
 * are not cached yet (a warm cache returns in well under a second). Each progress line of the
 * script goes to `onProgress`.
 */
export async function build(options: { onProgress?: (message: string) => void } = {}): Promise<BuildResult> {
  const child = spawn('bash', [buildScript], { stdio: ['ignore', 'pipe', 'pipe'] });
  const stdoutLines: string[] = [];
  const stderrLines: string[] = [];
  let built = false;
  createInterface({ input: child.stdout }).on('line', (line) => stdoutLines.push(line));
  createInterface({ input: child.stderr }).on('line', (line) => {
    stderrLines.push(line);
    if (stderrLines.length > 200) stderrLines.shift();
    if (/cold build|extracting/.test(line)) built = true;
    options.onProgress?.(line.replace(/^\[berth build\] /, ''));
  });
  const code = await new Promise<number | null>((resolveCode, reject) => {
    child.once('error', reject);
    child.once('close', (c) => resolveCode(c));
  });
  const binDir = stdoutLines.at(-1)?.trim();
  if (code !== 0 || !binDir) {
    throw new LocalClusterError(
      'BUILD_FAILED',
      `cluster/build.sh failed (exit ${code}):\n${stderrLines.slice(-20).join('\n')}`,
      'read the output above; the build needs Go >= 1.26 and the Go module proxy',
    );
  }
  return { binDir, toolsDir: await resolveToolsDir(), built };
}
