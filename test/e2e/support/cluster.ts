/**
 * Helpers for e2e tests against the local cluster that test/e2e/global-setup.ts starts.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

export interface E2eEnv {
  kubeconfig: string;
  stateDir: string;
  kubectl: string;
  helm: string;
  controlPlaneBinDir: string;
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) {
    throw new Error(
      `${name} is not set: run e2e tests with --test-global-setup=test/e2e/global-setup.ts (npm run test:e2e)`,
    );
  }
  return value;
}

/** Paths the global setup exported. */
export function e2eEnv(): E2eEnv {
  return {
    kubeconfig: required('BERTH_E2E_KUBECONFIG'),
    stateDir: required('BERTH_E2E_STATE_DIR'),
    kubectl: required('BERTH_KUBECTL'),
    helm: required('BERTH_HELM'),
    controlPlaneBinDir: required('BERTH_CONTROL_PLANE_BIN_DIR'),
  };
}

export interface RunResult {
  stdout: string;
  stderr: string;
  code: number;
}

export interface RunOptions {
  /** Text for standard input (e.g. a manifest for `apply -f -`). */
  input?: string;
  /** Do not throw on a non-zero exit. */
  allowFailure?: boolean;
  timeoutMs?: number;
}

function runTool(bin: string, args: string[], options: RunOptions): Promise<RunResult> {
  return new Promise((resolveRun, reject) => {
    const child = execFile(
      bin,
      args,
      {
        env: { ...process.env, KUBECONFIG: e2eEnv().kubeconfig },
        timeout: options.timeoutMs ?? 60_000,
        maxBuffer: 64 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        if (code !== 0 && !options.allowFailure) {
          reject(new Error(`${bin} ${args.join(' ')} exited ${code}: ${stderr.trim() || error?.message}`));
          return;
        }
        resolveRun({ stdout, stderr, code });
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}

/** Runs the dev-tool kubectl against the e2e cluster. Throws on a non-zero exit unless allowFailure. */
export function kubectl(args: string[], options: RunOptions = {}): Promise<RunResult> {
  return runTool(e2eEnv().kubectl, args, options);
}

/** kubectl with `-o json`, parsed. */
export async function kubectlJson<T = unknown>(args: string[], options: RunOptions = {}): Promise<T> {
  const { stdout } = await kubectl([...args, '-o', 'json'], options);
  return JSON.parse(stdout) as T;
}

/** Runs the dev-tool helm against the e2e cluster. */
export function helm(args: string[], options: RunOptions = {}): Promise<RunResult> {
  return runTool(e2eEnv().helm, args, options);
}

/** `kubectl apply -f -` of YAML or JSON text (or objects, sent as a JSON List). */
export async function apply(namespace: string, manifest: string | object[]): Promise<void> {
  const input =
    typeof manifest === 'string'
      ? manifest
      : JSON.stringify({ apiVersion: 'v1', kind: 'List', items: manifest });
  await kubectl(['apply', '-n', namespace, '-f', '-'], { input });
}

/** A fresh namespace name: `<prefix>-<random>`, a valid DNS label. */
export function uniqueName(prefix = 'e2e'): string {
  const clean = prefix
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40);
  return `${clean || 'e2e'}-${randomBytes(4).toString('hex')}`;
}

/** Creates a namespace with a unique name. Delete it with deleteNamespace (does not wait). */
export async function createTestNamespace(prefix = 'e2e'): Promise<string> {
  const name = uniqueName(prefix);
  await kubectl(['create', 'namespace', name]);
  return name;
}

/** Starts deleting a namespace and returns at once (deletion takes ~5-15 s; nobody needs to wait). */
export async function deleteNamespace(name: string): Promise<void> {
  await kubectl(['delete', 'namespace', name, '--wait=false', '--ignore-not-found'], { allowFailure: true });
}

/**
 * Gives the test its own namespace (named after the test) and deletes it, without waiting, when
 * the test ends.
 */
export async function withNamespace(t: TestContext, prefix?: string): Promise<string> {
  const name = await createTestNamespace(prefix ?? t.name);
  t.after(() => deleteNamespace(name));
  return name;
}

export interface WaitOptions {
  timeoutMs?: number;
  intervalMs?: number;
  /** What is awaited, for the time-out message. */
  what?: string;
}

/**
 * Polls `predicate` (every 250 ms by default) until it returns a truthy value, and returns that
 * value. Errors thrown by the predicate count as "not yet"; on time-out the last one is reported.
 */
export async function waitFor<T>(
  predicate: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  timeoutMsOrOptions: number | WaitOptions = {},
): Promise<T> {
  const options =
    typeof timeoutMsOrOptions === 'number' ? { timeoutMs: timeoutMsOrOptions } : timeoutMsOrOptions;
  const { timeoutMs = 30_000, intervalMs = 250, what = 'condition' } = options;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await predicate();
      if (value) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline) {
      const detail = lastError instanceof Error ? `; last error: ${lastError.message}` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${detail}`);
    }
    await sleep(intervalMs);
  }
}
