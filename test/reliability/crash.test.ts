/**
 * SIGKILL at seeded random points across install, upgrade and rollback of Langfuse (eight
 * components in five stages), each followed by the same command: it must succeed with no manual
 * step and leave an intact history (no half-written, pending or duplicate revisions; the deployed
 * revision is the newest). Half the points are a delay from the start (anywhere in an uninterrupted
 * run's duration), half the n-th progress line. BERTH_RELIABILITY_POINTS sets the number (50).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { createTestNamespace, deleteNamespace, e2eEnv } from '../e2e/support/cluster.ts';
import {
  type KillPoint,
  progressLines,
  seededRandom,
  suiteSeed,
  Transcript,
  workerStep,
  writeFigures,
} from './support/harness.ts';
import { historyProblems, type ScanResult, scanForSecrets } from './support/records.ts';

const POINTS = Number(process.env.BERTH_RELIABILITY_POINTS ?? 50);
const seed = suiteSeed('crash recovery');
const random = seededRandom(seed);
const runs = new Transcript(() => e2eEnv().kubeconfig);
const namespaces: string[] = [];

type Command = 'install' | 'upgrade' | 'rollback';
interface Point {
  readonly index: number;
  readonly command: Command;
  readonly at: KillPoint;
}
interface Outcome {
  readonly index: number;
  readonly command: Command;
  readonly at: KillPoint;
  readonly killed: boolean;
  readonly lastEvent: string;
  readonly recovered: boolean;
  readonly problems: string[];
}

/** An uninterrupted run's duration and progress lines bound where a kill can land. */
interface Span {
  readonly ms: number;
  readonly lines: number;
}

/**
 * Drawn up front so the two chains running side by side do not race for the random source: the
 * command (round robin, a third each), delay or progress line, and where in the span it lands.
 */
const plan = Array.from({ length: POINTS }, (_, index) => ({
  index,
  command: (['install', 'upgrade', 'rollback'] as const)[index % 3]!,
  byDelay: random() < 0.5,
  fraction: random(),
}));
const killPoint = (p: (typeof plan)[number], span: Span): KillPoint =>
  p.byDelay
    ? { delayMs: Math.floor(p.fraction * span.ms) }
    : { line: 1 + Math.floor(p.fraction * span.lines) };

const outcomes: Outcome[] = [];
/** The namespace of the upgrade and rollback chain (its release gets the doctor bundle). */
let chain = '';

/** The figures so far (written after every point, so a run cut short still reports). */
function crashFigures(scan?: ScanResult) {
  const done = [...outcomes].sort((a, b) => a.index - b.index);
  return {
    seed,
    points: done.length,
    recovered: done.filter((o) => o.recovered).length,
    killedBeforeFinishing: done.filter((o) => o.killed).length,
    byCommand: Object.fromEntries(
      (['install', 'upgrade', 'rollback'] as const).map((c) => [
        c,
        {
          points: done.filter((o) => o.command === c).length,
          recovered: done.filter((o) => o.command === c && o.recovered).length,
        },
      ]),
    ),
    ...(scan ? { secretScan: { ...scan, leaks: scan.leaks.length } } : {}),
    outcomes: done,
  };
}

async function timed(args: string[]): Promise<Span> {
  const started = Date.now();
  const result = await runs.run(args);
  assert.equal(result.code, 0, `${args.join(' ')}:\n${result.stderr}`);
  return { ms: Date.now() - started, lines: progressLines(result.stderr).length };
}

async function namespace(): Promise<string> {
  const name = await createTestNamespace('crash');
  namespaces.push(name);
  return name;
}

/** Kill, run the same command again, check the release. */
async function trial(point: Point, args: string[], ns: string): Promise<void> {
  const kill = await runs.killed(args, point.at);
  const again = await runs.run(args);
  const problems = again.code === 0 ? [] : [`exit ${again.code}: ${again.stderr.trim().split('\n')[0]}`];
  problems.push(...(await historyProblems(ns, 'lf', { deployedLast: true })));
  const status = await runs.run(['status', 'lf', '-n', ns, '-o', 'json']);
  const state = status.code === 0 ? JSON.parse(status.stdout) : undefined;
  if (state?.status !== 'deployed' || state?.ready !== true)
    problems.push(`status ${state?.status ?? status.stderr.trim()}, ready ${state?.ready}`);
  outcomes.push({
    index: point.index,
    command: point.command,
    at: point.at,
    killed: kill.killed,
    lastEvent: kill.lastEvent ?? '(before any progress)',
    recovered: problems.length === 0,
    problems,
  });
  writeFigures('crash', crashFigures());
}

describe('SIGKILL at random points, then the same command', { concurrency: true }, () => {
  after(async () => {
    for (const ns of namespaces) await deleteNamespace(ns);
  });

  test('install', async () => {
    const span = await timed(['install', 'lf', 'langfuse', '-n', await namespace()]);
    for (const p of plan.filter((p) => p.command === 'install')) {
      const ns = await namespace();
      await trial({ ...p, at: killPoint(p, span) }, ['install', 'lf', 'langfuse', '-n', ns], ns);
    }
  });

  test('upgrade and rollback', async () => {
    const ns = await namespace();
    chain = ns;
    await timed(['install', 'lf', 'langfuse', '-n', ns]);
    // Each upgrade changes the worker's environment, so each one rolls the worker out.
    let step = 0;
    const upgrade = () => ['upgrade', 'lf', 'langfuse', '-n', ns, ...workerStep(++step)];
    const spans = { upgrade: await timed(upgrade()), rollback: await timed(['rollback', 'lf', '-n', ns]) };
    for (const p of plan.filter((p) => p.command !== 'install')) {
      const command = p.command as 'upgrade' | 'rollback';
      const args = command === 'upgrade' ? upgrade() : ['rollback', 'lf', '-n', ns];
      await trial({ ...p, at: killPoint(p, spans[command]) }, args, ns);
    }
  });
});

describe('afterwards', () => {
  test('every point recovered, and no output, record or doctor bundle holds a generated secret', async () => {
    const sorted = outcomes.sort((a, b) => a.index - b.index);
    const failed = sorted.filter((o) => !o.recovered);
    const bundles = doctorBundles(chain);
    const texts = new Map<string, string>(runs.texts.map((text, i) => [`output ${i}`, text]));
    for (const [name, text] of (await bundles).entries()) texts.set(`doctor bundle ${name}`, text);
    const scan = await scanForSecrets(namespaces, texts);
    writeFigures('crash', crashFigures(scan));
    assert.equal(sorted.length, POINTS);
    assert.deepEqual(failed, [], `${failed.length} of ${POINTS} points did not recover (seed ${seed})`);
    assert.ok(scan.values > 0, 'the scan had generated values to look for');
    assert.deepEqual(scan.leaks, [], 'generated secret values found');
  });
});

/** `berth doctor --bundle` of the release, unpacked: file name → content. */
async function doctorBundles(ns: string): Promise<Map<string, string>> {
  const dir = mkdtempSync(join(tmpdir(), 'berth-reliability-doctor-'));
  try {
    const bundle = join(dir, 'bundle.tar.gz');
    const doctor = await runs.run(['doctor', 'lf', '-n', ns, '--bundle', bundle]);
    assert.ok(doctor.code === 0 || doctor.code === 4, `doctor:\n${doctor.stderr}`);
    const out = join(dir, 'unpacked');
    mkdirSync(out);
    execFileSync('tar', ['-xzf', bundle, '-C', out]);
    const files = new Map<string, string>();
    const walk = (path: string) => {
      for (const name of readdirSync(path)) {
        const full = join(path, name);
        if (statSync(full).isDirectory()) walk(full);
        else files.set(full.slice(out.length + 1), readFileSync(full, 'latin1'));
      }
    };
    walk(out);
    assert.ok(files.size > 0, 'the bundle holds files');
    return files;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
