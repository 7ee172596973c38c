/**
 * The live table of install, upgrade and rollback in a terminal: one row per object (stage, state,
 * elapsed, what it waits for), redrawn in place; info, prune and keep lines scroll above it. The
 * last frame stays on screen when the operation ends, and the summary follows it.
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
  /** Draws the final frame and stops the clock; later events print as lines. */
  stop(): void;
}

interface Row {
  readonly stage: string;
  readonly object: string;
  state: string;
  detail: string;
  readonly started: number;
  finished?: number;
}

const ERASE_DOWN = '\x1b[0J';
const up = (lines: number) => (lines > 0 ? `\x1b[${lines}A\r` : '\r');

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}

export function liveTable(
  stream: TerminalStream,
  options: { readonly now?: () => number; readonly tickMs?: number } = {},
): LiveTable {
  const now = options.now ?? Date.now;
  const rows = new Map<string, Row>();
  let drawn = 0;
  let stopped = false;

  const frame = (): string[] => {
    const at = now();
    const lines = table([
      ['STAGE', 'OBJECT', 'STATE', 'ELAPSED', 'WAITING FOR'],
      ...[...rows.values()].map((r) => [
        r.stage,
        r.object,
        r.state,
        seconds((r.finished ?? at) - r.started),
        r.state === 'waiting' ? r.detail : '',
      ]),
    ]).split('\n');
    // A wrapped line would throw off the cursor arithmetic of the next redraw.
    const width = Math.max(20, (stream.columns ?? 80) - 1);
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

  const row = (stage: string, object: string, state: string, detail = ''): Row => {
    const existing = rows.get(object);
    if (existing) {
      existing.state = state;
      existing.detail = detail;
      return existing;
    }
    const created: Row = { stage, object, state, detail, started: now() };
    rows.set(object, created);
    return created;
  };

  const listener: ProgressListener = (event: ProgressEvent) => {
    if (stopped) return;
    switch (event.type) {
      case 'info':
        return redraw([event.message]);
      case 'stage':
        return;
      case 'applied':
        row(event.stage, event.object, event.change);
        break;
      case 'waiting':
        row(event.stage, event.object, 'waiting', event.message);
        break;
      case 'ready':
        row(event.stage, event.object, 'ready', event.message).finished = now();
        break;
      case 'stage-ready':
        for (const r of rows.values()) if (r.stage === event.stage) r.finished ??= now();
        break;
      case 'pruned':
        row('prune', event.object, 'deleted').finished = now();
        break;
      case 'kept':
        row('prune', event.object, 'kept', event.reason).finished = now();
        return redraw([`kept ${event.object}: ${event.reason}`]);
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
