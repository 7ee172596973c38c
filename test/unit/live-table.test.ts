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
  { type: 'stage', stage: 'config', objects: 2 },
  {
    type: 'applied',
    stage: 'config',
    object: 'Secret/lf-db-auth in shop',
    change: 'created',
    component: 'db',
  },
  { type: 'applied', stage: 'config', object: 'ConfigMap/lf-shared in shop', change: 'created' },
  { type: 'stage-ready', stage: 'config', seconds: 0.1 },
  { type: 'stage', stage: 'dependencies', objects: 2 },
  {
    type: 'applied',
    stage: 'dependencies',
    object: 'StatefulSet/lf-db in shop',
    change: 'created',
    component: 'db',
  },
  {
    type: 'applied',
    stage: 'dependencies',
    object: 'Service/lf-db in shop',
    change: 'created',
    component: 'db',
  },
  {
    type: 'waiting',
    stage: 'dependencies',
    object: 'StatefulSet/lf-db in shop',
    message: '0 of 1 replicas ready',
  },
  {
    type: 'ready',
    stage: 'dependencies',
    object: 'StatefulSet/lf-db in shop',
    message: '1 of 1 replicas ready',
  },
  { type: 'stage-ready', stage: 'dependencies', seconds: 4 },
  { type: 'pruned', object: 'Deployment/lf-old in shop' },
];

describe('live table', () => {
  test('a row per component and stage, redrawn in place: up over the last frame, erase, draw', () => {
    const terminal = fakeTerminal();
    const time = clock();
    const live = liveTable(terminal, { now: time.now, tickMs: 60_000 });
    live.listener(events[0]!);
    assert.equal(terminal.writes.length, 0, 'a stage alone draws nothing');
    live.listener(events[1]!);
    assert.ok(terminal.writes[0]!.startsWith('\r\x1b[0J'), 'the first frame moves nowhere up');
    assert.deepEqual(lines(terminal.writes[0]!), [
      'COMPONENT   STAGE    STATE      ELAPSED   WAITING FOR',
      'db          config   applying   0.0s',
    ]);
    live.listener(events[2]!);
    time.advance(300);
    live.listener(events[3]!);
    time.advance(1000);
    live.listener(events[5]!);
    live.listener(events[6]!);
    time.advance(2500);
    live.listener(events[7]!);
    const waiting = terminal.writes.at(-1)!;
    assert.ok(waiting.startsWith('\x1b[4A\r\x1b[0J'), JSON.stringify(waiting));
    assert.deepEqual(lines(waiting), [
      'COMPONENT             STAGE          STATE     ELAPSED   WAITING FOR',
      'db                    config         created   0.3s',
      'ConfigMap/lf-shared   config         created   0.3s',
      'db                    dependencies   waiting   2.5s      StatefulSet/lf-db: 0 of 1 replicas ready',
    ]);
    time.advance(1500);
    for (const event of events.slice(8)) live.listener(event);
    time.advance(10_000);
    live.stop();
    assert.deepEqual(lines(terminal.writes.at(-1)!), [
      'COMPONENT             STAGE          STATE     ELAPSED   WAITING FOR',
      'db                    config         created   0.3s',
      'ConfigMap/lf-shared   config         created   0.3s',
      'db                    dependencies   ready     4.0s',
      'Deployment/lf-old     prune          deleted   0.0s',
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
    live.listener({ type: 'kept', object: 'PersistentVolumeClaim/lf-data in shop', reason: 'data volume' });
    const last = terminal.writes.at(-1)!;
    assert.ok(last.startsWith('\x1b[2A\r\x1b[0Jkept PersistentVolumeClaim/lf-data: data volume\n'), last);
    for (const line of lines(last).slice(1)) assert.ok(line.length <= 39, line);
    live.stop();
    const sizeless = fakeTerminal(0);
    const unsized = liveTable(sizeless, { now: () => 0, tickMs: 60_000 });
    unsized.listener(events[1]!);
    assert.deepEqual(
      lines(sizeless.writes[0]!),
      ['COMPONENT   STAGE    STATE      ELAPSED   WAITING FOR', 'db          config   applying   0.0s'],
      'a terminal without a size is 80 wide',
    );
    unsized.stop();
  });

  test('the clock redraws rows that still wait, and stops with the table', async () => {
    const terminal = fakeTerminal();
    const time = clock();
    const live = liveTable(terminal, { now: time.now, tickMs: 5 });
    live.listener(events[5]!);
    live.listener(events[7]!);
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
        '[config] applying 2 objects\n',
        '[config] Secret/lf-db-auth in shop created\n',
        '[config] ConfigMap/lf-shared in shop created\n',
        '[config] ready after 0.1s\n',
        '[dependencies] applying 2 objects\n',
        '[dependencies] StatefulSet/lf-db in shop created\n',
        '[dependencies] Service/lf-db in shop created\n',
        '[dependencies] waiting for StatefulSet/lf-db in shop: 0 of 1 replicas ready\n',
        '[dependencies] StatefulSet/lf-db in shop ready: 1 of 1 replicas ready\n',
        '[dependencies] ready after 4s\n',
        'deleted Deployment/lf-old in shop\n',
      ],
    );
    assert.match(pipe.writes[0]!, /^ {2}0\.\ds \[config\]/);
  });

  test('a dumb terminal gets lines too, and --output json nothing', () => {
    const dumb = fakeTerminal();
    deployProgress(false, dumb, { TERM: 'dumb' })(events[1]!);
    assert.match(dumb.writes[0]!, /^ {2}0\.0s \[config\] Secret\/lf-db-auth in shop created\n$/);
    const quiet = fakeTerminal();
    deployProgress(true, quiet, {})(events[1]!);
    assert.deepEqual(quiet.writes, []);
    const time = clock();
    const printer = progressPrinter(false, quiet, time.now);
    time.advance(12_345);
    printer(events[1]!);
    assert.equal(quiet.writes[0], ' 12.3s [config] Secret/lf-db-auth in shop created\n');
  });
});
