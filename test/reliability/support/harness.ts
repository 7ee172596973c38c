/**
 * What the reliability suite shares: a seeded random source (the seed is printed, and
 * BERTH_RELIABILITY_SEED replays a run), a transcript of every berth run (for the secret scan),
 * berth killed at a chosen moment, and the figures each file writes for docs/reliability.md.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BERTH_BIN, type CliResult, runBerth } from '../../support/cli.ts';

/** mulberry32: small, fast and good enough to pick kill points and faults reproducibly. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The run's seed: BERTH_RELIABILITY_SEED when set, else a fresh one; printed either way. */
export function suiteSeed(what: string): number {
  const given = process.env.BERTH_RELIABILITY_SEED;
  const seed = given ? Number.parseInt(given, 10) : Math.floor(Math.random() * 2 ** 31);
  if (!Number.isSafeInteger(seed)) throw new Error(`BERTH_RELIABILITY_SEED must be an integer, got ${given}`);
  process.stderr.write(`[reliability] ${what}: seed ${seed} (replay with BERTH_RELIABILITY_SEED=${seed})\n`);
  return seed;
}

export const pick = <T>(random: () => number, items: readonly T[]): T =>
  items[Math.floor(random() * items.length)]!;

/** `--set` flags changing the Langfuse worker's environment: each new step is a quick rollout. */
export function workerStep(step: number): string[] {
  return [
    '--set',
    'services.worker.extraEnv[0].name=RELIABILITY_STEP',
    '--set',
    `services.worker.extraEnv[0].value=step-${step}`,
  ];
}

/** Every output of every berth run of one test file, for the secret scan. */
export class Transcript {
  readonly texts: string[] = [];

  private readonly kubeconfig: () => string;

  constructor(kubeconfig: () => string) {
    this.kubeconfig = kubeconfig;
  }

  async run(args: readonly string[], kubeconfig = this.kubeconfig()): Promise<CliResult> {
    const result = await runBerth(args, { env: { KUBECONFIG: kubeconfig } });
    this.texts.push(result.stdout, result.stderr);
    return result;
  }

  /** Runs berth and SIGKILLs it at `at`; the output so far is kept like any other. */
  async killed(args: readonly string[], at: KillPoint, kubeconfig = this.kubeconfig()): Promise<KillOutcome> {
    const outcome = await runKilled(args, at, kubeconfig);
    this.texts.push(outcome.output);
    return outcome;
  }
}

/** After `delayMs` from the start, or when the `line`-th progress line (1-based) appears. */
export type KillPoint = { readonly delayMs: number } | { readonly line: number };

export interface KillOutcome {
  /** False when berth finished before the kill point. */
  readonly killed: boolean;
  readonly code: number | null;
  readonly output: string;
  /** The last progress line printed before the kill (without its timestamp), if any. */
  readonly lastEvent: string | undefined;
}

const PROGRESS_LINE = /^\s*\d+\.\d+s (.*)$/;

function runKilled(args: readonly string[], at: KillPoint, kubeconfig: string): Promise<KillOutcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(BERTH_BIN, args, {
      env: { ...process.env, KUBECONFIG: kubeconfig },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    let killed = false;
    const events: string[] = [];
    const kill = () => {
      if (killed || child.exitCode !== null) return;
      killed = true;
      child.kill('SIGKILL');
    };
    const timer = 'delayMs' in at ? setTimeout(kill, at.delayMs) : undefined;
    let partial = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      const text = chunk.toString();
      output += text;
      if (killed) return;
      const lines = (partial + text).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        const event = PROGRESS_LINE.exec(line)?.[1];
        if (!event) continue;
        events.push(event);
        if ('line' in at && events.length >= at.line) return kill();
      }
    });
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ killed, code, output, lastEvent: events.at(-1) });
    });
  });
}

/** Progress lines of a finished run's stderr. */
export function progressLines(stderr: string): string[] {
  return stderr
    .split('\n')
    .map((line) => PROGRESS_LINE.exec(line)?.[1])
    .filter((line): line is string => line !== undefined);
}

const RESULTS = fileURLToPath(new URL('../../../reports/reliability/', import.meta.url));

/** Writes one file's figures to reports/reliability/<name>.json (BERTH_RELIABILITY_RESULTS overrides the folder). */
export function writeFigures(name: string, figures: unknown): void {
  const dir = process.env.BERTH_RELIABILITY_RESULTS ?? RESULTS;
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${name}.json`), `${JSON.stringify(figures, null, 2)}\n`);
}
