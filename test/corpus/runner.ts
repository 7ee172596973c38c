/**
 * Runs the bad-input corpus (cases.yaml): each case is the real `bin/berth` in a child process,
 * timed and measured (/usr/bin/time's maximum resident set size), and its output judged.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { BERTH_BIN } from '../support/cli.ts';

/**
 * Safety bounds, not speed targets: a case that needs more has run away. Time is CPU time (user +
 * system), so a busy machine does not fail a case; a run is killed after `wallSeconds` regardless.
 */
export const BOUNDS = { cpuSeconds: 10, wallSeconds: 60, rssMiB: 512 } as const;

export interface CorpusCase {
  readonly id: string;
  readonly class: string;
  readonly args: readonly string[];
  readonly exit: number;
  /** A regular expression the first `error:` line must match (absent for successful cases). */
  readonly error?: string;
  /** How many `error:` lines the message may have (default 1). */
  readonly lines?: number;
  /** Text for stdin, or `huge` for more than the input cap. */
  readonly stdin?: string;
}

/**
 * A varied value: a string (`{v}`), or a list whose last item is `{why}` (substituted into the
 * family's `error`) and whose other items are the arguments: `{v}` the last of them, `{flag}` the
 * first, `{args}` all of them as separate arguments.
 */
type Vary = string | readonly string[];

interface Family {
  readonly id: string;
  readonly class: string;
  readonly vary: readonly Vary[];
  readonly commands: readonly (readonly string[])[];
  readonly exit: number;
  readonly error: string;
  readonly lines?: number;
}

interface CorpusFile {
  readonly fixtures: Record<string, string>;
  readonly families: readonly Family[];
  readonly cases: readonly CorpusCase[];
  readonly cluster_cases: readonly Omit<CorpusCase, 'class'>[];
}

const corpus = parse(readFileSync(new URL('./cases.yaml', import.meta.url), 'utf8')) as CorpusFile;

/** Every value of a family with every one of its commands. */
function expand(family: Family): CorpusCase[] {
  return family.vary.flatMap((value, v) => {
    const parts = typeof value === 'string' ? [value] : value.slice(0, -1);
    const why = typeof value === 'string' ? '' : (value.at(-1) ?? '');
    return family.commands.map((command, c) => {
      const args = command.flatMap((arg) =>
        arg === '{args}'
          ? parts
          : [arg.replaceAll('{flag}', parts[0] ?? '').replaceAll('{v}', parts.at(-1) ?? '')],
      );
      return {
        id: `${family.id}/${v}-${args.slice(0, 2).join('-')}-${c}`,
        class: family.class,
        args,
        exit: family.exit,
        error: family.error.replaceAll('{why}', why),
        ...(family.lines ? { lines: family.lines } : {}),
      };
    });
  });
}

export const offlineCases: readonly CorpusCase[] = [...corpus.families.flatMap(expand), ...corpus.cases];
export const clusterCases: readonly CorpusCase[] = corpus.cluster_cases.map((c) => ({
  ...c,
  class: 'cluster',
}));

const HUGE_BYTES = 33 * 1024 * 1024;

function hugeText(): string {
  return `# ${'x'.repeat(1022)}\n`.repeat(HUGE_BYTES / 1024);
}

/** An alias bomb: ten aliases per level, nine levels (10⁹ nodes if expanded). */
function aliasBomb(): string {
  const lines = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
  for (let i = 1; i < 10; i++)
    lines.push(
      `a${i}: &a${i} [${Array(10)
        .fill(`*a${i - 1}`)
        .join(', ')}]`,
    );
  return `services:\n  web:\n    customLabels: {}\n${lines.join('\n')}\n`;
}

/** Generated fixtures: too large, too deep, too many keys, or many legitimate aliases. */
function generated(): Record<string, string> {
  const keys80k = Array.from({ length: 80_000 }, (_, i) => `k${i}: 1`).join('\n');
  const manyKeys = Array.from({ length: 5000 }, (_, i) => `    x${i}: 1`).join('\n');
  const aliases = Array.from({ length: 150 }, () => '        - *toleration').join('\n');
  return {
    'huge.yaml': hugeText(),
    'bomb.yaml': aliasBomb(),
    'deep.yaml': `services: ${'['.repeat(5000)}${']'.repeat(5000)}\n`,
    'wide.yaml': `services: [${Array(260_000).fill('0').join(',')}]\n`,
    'keys-80k.yaml': `${keys80k}\n`,
    'many-keys.yaml': `services:\n  web:\n${manyKeys}\n`,
    'many-aliases.yaml': `services:\n  web:\n    customTolerations:\n        - &toleration {key: dedicated, operator: Exists, effect: NoSchedule}\n${aliases}\n`,
  };
}

/** The fixtures folder, and a kubeconfig whose API server does not answer. */
export function makeFixtures(): { dir: string; unreachable: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'berth-corpus-'));
  for (const [name, content] of Object.entries({ ...corpus.fixtures, ...generated() })) {
    writeFileSync(join(dir, name), content);
  }
  const unreachable = join(dir, 'unreachable.kubeconfig');
  writeFileSync(
    unreachable,
    readFileSync(join(dir, 'ftp.kubeconfig'), 'utf8').replace(
      'ftp://127.0.0.1:59999',
      'https://127.0.0.1:59999',
    ),
  );
  return { dir, unreachable, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface CaseRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly seconds: number;
  readonly cpuSeconds: number;
  readonly rssMiB: number;
  readonly timedOut: boolean;
}

export function substitute(args: readonly string[], values: Record<string, string>): string[] {
  return args.map((arg) => String(arg).replace(/\{(\w+)\}/g, (whole, name: string) => values[name] ?? whole));
}

/** Runs berth under /usr/bin/time with the case's arguments, killing it past the time bound. */
export function runCase(
  args: readonly string[],
  options: { env: NodeJS.ProcessEnv; stdin?: string | undefined; dir: string },
): Promise<CaseRun> {
  const rssFile = join(options.dir, `rss-${process.pid}-${Math.random().toString(36).slice(2)}`);
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const bin = process.env.BERTH_CORPUS_BIN || BERTH_BIN;
    const child = spawn('/usr/bin/time', ['-f', '%M %U %S', '-o', rssFile, bin, ...args], {
      env: { ...process.env, ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
      // Its own process group, so a runaway berth (under /usr/bin/time) is killed with it.
      detached: true,
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    }, BOUNDS.wallSeconds * 1000);
    child.stdout.on('data', (chunk: Buffer) => {
      if (stdout.length < 1_000_000) stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      let rssMiB = Number.NaN;
      let cpuSeconds = Number.NaN;
      try {
        const [rssKiB, user, system] = readFileSync(rssFile, 'utf8').trim().split('\n').at(-1)!.split(' ');
        rssMiB = Number(rssKiB) / 1024;
        cpuSeconds = Number(user) + Number(system);
        rmSync(rssFile);
      } catch {
        // killed before /usr/bin/time wrote it; timedOut says why
      }
      resolve({ code, signal, stdout, stderr, seconds, cpuSeconds, rssMiB, timedOut });
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.stdin === 'huge' ? hugeText() : (options.stdin ?? ''));
  });
}

/** What is wrong with a run, as a list of sentences (empty: the case passed). */
export function judge(c: CorpusCase, run: CaseRun): string[] {
  const problems: string[] = [];
  if (run.timedOut) problems.push(`still running after ${BOUNDS.wallSeconds}s`);
  if (!(run.cpuSeconds <= BOUNDS.cpuSeconds))
    problems.push(`used ${run.cpuSeconds.toFixed(1)}s of CPU (bound ${BOUNDS.cpuSeconds}s)`);
  if (!(run.rssMiB <= BOUNDS.rssMiB))
    problems.push(`used ${run.rssMiB.toFixed(0)} MiB (bound ${BOUNDS.rssMiB})`);
  if (run.code !== c.exit) problems.push(`exit ${run.code ?? run.signal}, expected ${c.exit}`);
  if (/internal error|this is a bug/i.test(run.stderr)) problems.push('reported an internal error');
  if (/^\s+at .+(:\d+:\d+\)?|\(native\))$/m.test(run.stderr)) problems.push('printed a stack trace');
  const errors = run.stderr.split('\n').filter((line) => line.startsWith('error:'));
  if (c.error !== undefined) {
    const allowed = c.lines ?? 1;
    if (errors.length === 0 || errors.length > allowed)
      problems.push(`${errors.length} error lines, expected ${allowed === 1 ? 'one' : `1 to ${allowed}`}`);
    if (errors[0] !== undefined && !new RegExp(c.error).test(errors[0]))
      problems.push(`first error line does not match /${c.error}/`);
  } else if (errors.length) problems.push('printed an error on success');
  return problems;
}

/** Runs `items` through `work`, at most `limit` at a time. */
export async function inParallel<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: limit }, worker));
}
