/**
 * The live table of install, upgrade and rollback in a terminal: one row per component and stage
 * (state, elapsed, what it waits for), redrawn in place; info, prune and keep lines scroll above
 * it. The last frame stays on screen when the operation ends, and the summary follows it.
 */
import type { ProgressEvent, ProgressListener } from '../release/progress.ts';
import { table } from './output.ts';

/** The part of a terminal stream the table needs (process.stderr, or a fake in tests). */
export interface TerminalStream {
  readonly columns?: number | undefined;
  write(text: string): unknown;
}

export interface LiveTable {
  readonly listener: ProgressListener;
  /** Draws the final frame and stops the clock; later events are ignored. */
  stop(): void;
}

interface Member {
  state: string;
  detail: string;
  done: boolean;
}

interface Row {
  readonly stage: string;
  /** The component, or the object itself when it belongs to none. */
  readonly name: string;
  readonly members: Map<string, Member>;
  readonly started: number;
  finished?: number;
}

const ERASE_DOWN = '\x1b[0J';
const up = (lines: number) => (lines > 0 ? `\x1b[${lines}A\r` : '\r');

/** `Deployment/lf-web in shop` → `Deployment/lf-web`: the namespace is the same on every row. */
const short = (object: string) => object.replace(/ in \S+$/, '');

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}

function state(row: Row): { state: string; waitingFor: string } {
  const members = [...row.members.entries()];
  const waiting = members.find(([, m]) => m.state === 'waiting');
  if (waiting) return { state: 'waiting', waitingFor: `${short(waiting[0])}: ${waiting[1].detail}` };
  if (members.every(([, m]) => m.done)) {
    const states = new Set(members.map(([, m]) => m.state));
    return { state: states.size === 1 ? [...states][0]! : 'ready', waitingFor: '' };
  }
  return { state: 'applying', waitingFor: '' };
}

export function liveTable(
  stream: TerminalStream,
  options: { readonly now?: () => number; readonly tickMs?: number } = {},
): LiveTable {
  const now = options.now ?? Date.now;
  const rows = new Map<string, Row>();
  /** Which row an object's later events (waiting, ready) belong to. */
  const rowOf = new Map<string, Row>();
  let drawn = 0;
  let stopped = false;

  const frame = (): string[] => {
    const at = now();
    const lines = table([
      ['COMPONENT', 'STAGE', 'STATE', 'ELAPSED', 'WAITING FOR'],
      ...[...rows.values()].map((row) => {
        const shown = state(row);
        return [
          row.name,
          row.stage,
          shown.state,
          seconds((row.finished ?? at) - row.started),
          shown.waitingFor,
        ];
      }),
    ]).split('\n');
    // A wrapped line would throw off the cursor arithmetic of the next redraw.
    // A terminal that reports no size (0 columns) is taken as 80 wide.
    const width = Math.max(20, (stream.columns || 80) - 1);
    return lines.map((line) => (line.length > width ? `${line.slice(0, width - 1)}…` : line.trimEnd()));
  };
  const redraw = (above: readonly string[] = []): void => {
    const lines = rows.size ? frame() : [];
    stream.write(`${up(drawn)}${ERASE_DOWN}${[...above, ...lines].map((l) => `${l}\n`).join('')}`);
    drawn = lines.length;
  };
  const timer = setInterval(() => {
    if ([...rows.values()].some((r) => r.finished === undefined)) redraw();
  }, options.tickMs ?? 1000);
  timer.unref();

  const join = (stage: string, name: string, object: string, member: Member): void => {
    const key = `${stage}/${name}`;
    let row = rows.get(key);
    if (!row) {
      row = { stage, name, members: new Map(), started: now() };
      rows.set(key, row);
    }
    row.members.set(object, member);
    row.finished = undefined;
    rowOf.set(object, row);
  };
  const update = (object: string, change: Partial<Member>): void => {
    const row = rowOf.get(object);
    const member = row?.members.get(object);
    if (!row || !member) return;
    Object.assign(member, change);
    if ([...row.members.values()].every((m) => m.done)) row.finished ??= now();
  };

  const listener: ProgressListener = (event: ProgressEvent) => {
    if (stopped) return;
    switch (event.type) {
      case 'info':
        return redraw([event.message]);
      case 'stage':
        return;
      case 'applied':
        join(event.stage, event.component ?? short(event.object), event.object, {
          state: event.change,
          detail: '',
          done: false,
        });
        break;
      case 'waiting':
        update(event.object, { state: 'waiting', detail: event.message });
        break;
      case 'ready':
        update(event.object, { state: 'ready', detail: event.message, done: true });
        break;
      case 'stage-ready':
        for (const [object, row] of rowOf) if (row.stage === event.stage) update(object, { done: true });
        break;
      case 'pruned':
        join('prune', short(event.object), event.object, { state: 'deleted', detail: '', done: true });
        update(event.object, {});
        break;
      case 'kept':
        join('prune', short(event.object), event.object, { state: 'kept', detail: event.reason, done: true });
        update(event.object, {});
        return redraw([`kept ${short(event.object)}: ${event.reason}`]);
    }
    redraw();
  };

  return {
    listener,
    stop() {
      if (stopped) return;
      clearInterval(timer);
      if (rows.size) redraw();
      stopped = true;
    },
  };
}
