import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { liveTable } from '../../src/cli/live-table.ts';
import { deployProgress, progressPrinter } from '../../src/cli/progress.ts';
import type { ProgressEvent } from '../../src/release/progress.ts';

/** A terminal stand-in that records every write. */
function fakeTerminal(columns = 120) {
  const writes: string[] = [];
  return { isTTY: true, columns, writes, write: (text: string) => writes.push(text) };
}

function clock(start = 1_000) {
  let t = start;
  return {
    now: () => t,
    advance: (ms: number) => {
      t += ms;
    },
  };
}

/** A frame without its cursor movement: the lines it draws. */
function lines(write: string): string[] {
  return write
    .replace(/^[^J]*\[0J/, '')
    .split('\n')
    .filter(Boolean);
}

const events: ProgressEvent[] = [
  { type: 'stage', stage: 'config', objects: 1 },
  { type: 'applied', stage: 'config', object: 'Secret/lf-auth', change: 'created' },
  { type: 'stage-ready', stage: 'config', seconds: 0.1 },
  { type: 'stage', stage: 'dependencies', objects: 1 },
  { type: 'applied', stage: 'dependencies', object: 'StatefulSet/lf-db', change: 'created' },
  { type: 'waiting', stage: 'dependencies', object: 'StatefulSet/lf-db', message: '0 of 1 replicas ready' },
  { type: 'ready', stage: 'dependencies', object: 'StatefulSet/lf-db', message: '1 of 1 replicas ready' },
  { type: 'stage-ready', stage: 'dependencies', seconds: 4 },
  { type: 'pruned', object: 'Deployment/lf-old' },
];

describe('live table', () => {
  test('each event redraws the table in place: up over the last frame, erase, draw', () => {
    const terminal = fakeTerminal();
    const time = clock();
    const live = liveTable(terminal, { now: time.now, tickMs: 60_000 });
    live.listener(events[0]!);
    assert.equal(terminal.writes.length, 0, 'a stage alone draws nothing');
    live.listener(events[1]!);
    assert.ok(terminal.writes[0]!.startsWith('\r\x1b[0J'), 'the first frame moves nowhere up');
    assert.deepEqual(lines(terminal.writes[0]!), [
      'STAGE    OBJECT           STATE     ELAPSED   WAITING FOR',
      'config   Secret/lf-auth   created   0.0s',
    ]);
    time.advance(300);
    live.listener(events[2]!);
    time.advance(1000);
    live.listener(events[4]!);
    time.advance(2500);
    live.listener(events[5]!);
    const waiting = terminal.writes.at(-1)!;
    assert.ok(waiting.startsWith('\x1b[3A\r\x1b[0J'), JSON.stringify(waiting));
    assert.deepEqual(lines(waiting), [
      'STAGE          OBJECT              STATE     ELAPSED   WAITING FOR',
      'config         Secret/lf-auth      created   0.3s',
      'dependencies   StatefulSet/lf-db   waiting   2.5s      0 of 1 replicas ready',
    ]);
    time.advance(1500);
    for (const event of events.slice(6)) live.listener(event);
    time.advance(10_000);
    live.stop();
    assert.deepEqual(lines(terminal.writes.at(-1)!), [
      'STAGE          OBJECT              STATE     ELAPSED   WAITING FOR',
      'config         Secret/lf-auth      created   0.3s',
      'dependencies   StatefulSet/lf-db   ready     4.0s',
      'prune          Deployment/lf-old   deleted   0.0s',
    ]);
    const count = terminal.writes.length;
    live.listener({ type: 'info', message: 'late' });
    assert.equal(terminal.writes.length, count, 'nothing is drawn after stop');
  });

  test('info and kept lines scroll above the table; lines never wrap', () => {
    const terminal = fakeTerminal(40);
    const live = liveTable(terminal, { now: () => 0, tickMs: 60_000 });
    live.listener({ type: 'info', message: 'preflight: 12 checks passed' });
    assert.deepEqual(terminal.writes, ['\r\x1b[0Jpreflight: 12 checks passed\n']);
    live.listener(events[1]!);
    live.listener({ type: 'kept', object: 'PersistentVolumeClaim/lf-data', reason: 'data volume' });
    const last = terminal.writes.at(-1)!;
    assert.ok(last.startsWith('\x1b[2A\r\x1b[0Jkept PersistentVolumeClaim/lf-data: data volume\n'));
    for (const line of lines(last).slice(1)) assert.ok(line.length <= 39, line);
    live.stop();
  });

  test('the clock redraws rows that still wait, and stops with the table', async () => {
    const terminal = fakeTerminal();
    const time = clock();
    const live = liveTable(terminal, { now: time.now, tickMs: 5 });
    live.listener(events[4]!);
    live.listener(events[5]!);
    const before = terminal.writes.length;
    time.advance(7000);
    await new Promise((resolve) => setTimeout(resolve, 30));
    assert.ok(terminal.writes.length > before, 'redrawn by the clock');
    assert.match(terminal.writes.at(-1)!, /waiting {3}7\.0s/);
    live.stop();
    const stopped = terminal.writes.length;
    await new Promise((resolve) => setTimeout(resolve, 30));
    assert.equal(terminal.writes.length, stopped);
  });
});

describe('progress without a terminal', () => {
  test('pipes and CI keep one line per event, exactly as before', () => {
    const pipe = { isTTY: false, writes: [] as string[], write: (t: string) => pipe.writes.push(t) };
    const listener = deployProgress(false, pipe, {});
    for (const event of events) listener(event);
    assert.deepEqual(
      pipe.writes.map((w) => w.replace(/^ *\d+\.\ds /, '')),
      [
        '[config] applying 1 object\n',
        '[config] Secret/lf-auth created\n',
        '[config] ready after 0.1s\n',
        '[dependencies] applying 1 object\n',
        '[dependencies] StatefulSet/lf-db created\n',
        '[dependencies] waiting for StatefulSet/lf-db: 0 of 1 replicas ready\n',
        '[dependencies] StatefulSet/lf-db ready: 1 of 1 replicas ready\n',
        '[dependencies] ready after 4s\n',
        'deleted Deployment/lf-old\n',
      ],
    );
    assert.match(pipe.writes[0]!, /^ {2}0\.\ds \[config\]/);
  });

  test('a dumb terminal gets lines too, and --output json nothing', () => {
    const dumb = fakeTerminal();
    deployProgress(false, dumb, { TERM: 'dumb' })(events[1]!);
    assert.match(dumb.writes[0]!, /^ {2}0\.0s \[config\] Secret\/lf-auth created\n$/);
    const quiet = fakeTerminal();
    deployProgress(true, quiet, {})(events[1]!);
    assert.deepEqual(quiet.writes, []);
    const time = clock();
    const printer = progressPrinter(false, quiet, time.now);
    time.advance(12_345);
    printer(events[1]!);
    assert.equal(quiet.writes[0], ' 12.3s [config] Secret/lf-auth created\n');
  });
});
