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
  /** The build script, run with bash. Default: $BERTH_BUILD_SCRIPT (a stand-in, for tests), else cluster/build.sh. */
  script?: string;
}

/** The build script to run: the given one, else $BERTH_BUILD_SCRIPT, else cluster/build.sh. */
function scriptPath(script?: string): string {
  return script ?? (process.env.BERTH_BUILD_SCRIPT || buildScript);
}

async function printDir(flag: '--print-bin-dir' | '--print-tools-dir', script?: string): Promise<string> {
  const path = scriptPath(script);
  const { stdout } = await run('bash', [path, flag], { timeout: 30_000 });
  const dir = stdout.trim().split('\n').pop();
  if (!dir) throw new Error(`${path} ${flag} printed nothing`);
  return dir;
}

/** Where the control plane binaries are (or will be once built). */
export async function resolveBinDir(options: BinaryOptions = {}): Promise<string> {
  return (
    options.binDir ??
    process.env.BERTH_CONTROL_PLANE_BIN_DIR ??
    (await printDir('--print-bin-dir', options.script))
  );
}

/** Where kubectl and helm (dev tools for tests and benchmarks) are (or will be once extracted). */
export async function resolveToolsDir(options: Pick<BinaryOptions, 'script'> = {}): Promise<string> {
  return process.env.BERTH_DEV_TOOLS_BIN_DIR ?? (await printDir('--print-tools-dir', options.script));
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

export interface BuildOptions {
  /** Receives each progress line of the script, and a "still building" line every `progressIntervalMs`. */
  onProgress?: (message: string) => void;
  /** The build script, run with bash. Default: $BERTH_BUILD_SCRIPT, else cluster/build.sh. */
  script?: string;
  /** How often to report the binary being built while the script is silent. Default 15 000 ms. */
  progressIntervalMs?: number;
  /** Aborting stops the build (the script removes its half-built output) and throws INTERRUPTED. */
  signal?: AbortSignal;
}

export interface BuildResult {
  binDir: string;
  toolsDir: string;
  /** Whether anything was built or extracted (false on a warm cache). */
  built: boolean;
}

/** "45s", "2m10s". */
export function formatElapsed(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  const minutes = Math.floor(seconds / 60);
  return minutes > 0 ? `${minutes}m${String(seconds % 60).padStart(2, '0')}s` : `${seconds}s`;
}

/**
 * Runs the build script with `args`. A cold build runs for minutes with long silences (one
 * `go build` per binary), so while it runs a line "building <binary> (i/5) … <elapsed>" is reported
 * every `progressIntervalMs`. Resolves with the last stdout line (the control plane bin dir).
 */
async function runBuildScript(
  args: string[],
  options: BuildOptions,
): Promise<{ binDir: string; built: boolean }> {
  const script = scriptPath(options.script);
  const report = options.onProgress ?? (() => {});
  const signal = options.signal;
  const interrupted = () =>
    new LocalClusterError(
      'INTERRUPTED',
      'the control plane build was interrupted; nothing half-built was cached',
      'run the command again to build from the start',
    );
  if (signal?.aborted) throw interrupted();

  const started = Date.now();
  const total = controlPlaneBinaries.length;
  let current: string | undefined;
  let waiting = false;
  let built = false;
  const stdoutLines: string[] = [];
  const stderrLines: string[] = [];
  const child = spawn('bash', [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const stop = () => child.kill('SIGTERM'); // the script's trap stops `go build` and removes its temp dir
  signal?.addEventListener('abort', stop, { once: true });
  const ticker = setInterval(() => {
    const elapsed = formatElapsed(Date.now() - started);
    if (current) {
      const index = controlPlaneBinaries.indexOf(current as ControlPlaneBinary) + 1;
      report(`building ${current}${index > 0 ? ` (${index}/${total})` : ''} … ${elapsed}`);
    } else if (waiting) report(`waiting for another build of the control plane to finish … ${elapsed}`);
  }, options.progressIntervalMs ?? 15_000);

  createInterface({ input: child.stdout }).on('line', (line) => stdoutLines.push(line));
  createInterface({ input: child.stderr }).on('line', (raw) => {
    const line = raw.replace(/^\[berth build\] /, '');
    stderrLines.push(line);
    if (stderrLines.length > 200) stderrLines.shift();
    if (/cold build|extracting/.test(line)) {
      built = true;
      waiting = false;
    }
    if (/another build holds/.test(line)) waiting = true;
    const building = /^building (\S+)/.exec(line);
    if (building) current = building[1];
    else if (/^(built |cold build finished|error:)/.test(line)) current = undefined;
    report(line);
  });
  let code: number | null;
  try {
    code = await new Promise<number | null>((resolveCode, reject) => {
      child.once('error', reject);
      child.once('close', (c) => resolveCode(c));
    });
  } finally {
    clearInterval(ticker);
    signal?.removeEventListener('abort', stop);
  }
  if (signal?.aborted) throw interrupted();
  const binDir = stdoutLines.at(-1)?.trim();
  if (code === 0 && binDir) return { binDir, built };
  const output = stderrLines.slice(-20).join('\n');
  if (/go is not on PATH/.test(output)) {
    throw new LocalClusterError(
      'TOOL_MISSING',
      'the control plane is built from source once and needs Go >= 1.26, but `go` is not on PATH',
      'install Go (https://go.dev/dl/) and put its bin directory on PATH, or set BERTH_CONTROL_PLANE_BIN_DIR to a directory with prebuilt binaries',
    );
  }
  throw new LocalClusterError(
    'BUILD_FAILED',
    `${script} failed (exit ${code}):\n${output}`,
    'the build needs Go >= 1.26 and access to the Go module proxy (GOPROXY); the lines above say what failed',
  );
}

/**
 * Runs cluster/build.sh: builds the control plane binaries and extracts kubectl/helm when they
 * are not cached yet (a warm cache returns in well under a second).
 */
export async function build(options: BuildOptions = {}): Promise<BuildResult> {
  const { binDir, built } = await runBuildScript([], options);
  return {
    binDir,
    toolsDir: await resolveToolsDir(options.script === undefined ? {} : { script: options.script }),
    built,
  };
}

/** Builds only the control plane binaries (what `up` needs; kubectl and helm are for tests). */
export function buildControlPlane(options: BuildOptions = {}): Promise<{ binDir: string; built: boolean }> {
  return runBuildScript(['--control-plane-only'], options);
}
