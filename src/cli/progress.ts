/**
 * Live progress on stderr, quiet for --output json: in a terminal, install/upgrade/rollback redraw
 * a table in place (./live-table.ts); elsewhere (CI, pipes) one line per change, prefixed with the
 * stage.
 */
import type { ProgressEvent, ProgressListener } from '../release/progress.ts';
import { silent } from '../release/progress.ts';
import { type LiveTable, liveTable } from './live-table.ts';

function line(event: ProgressEvent): string {
  switch (event.type) {
    case 'info':
      return event.message;
    case 'stage':
      return `[${event.stage}] applying ${event.objects} object${event.objects === 1 ? '' : 's'}`;
    case 'applied':
      return `[${event.stage}] ${event.object} ${event.change}`;
    case 'waiting':
      return `[${event.stage}] waiting for ${event.object}: ${event.message}`;
    case 'ready':
      return `[${event.stage}] ${event.object} ready: ${event.message}`;
    case 'stage-ready':
      return `[${event.stage}] ready after ${event.seconds}s`;
    case 'pruned':
      return `deleted ${event.object}`;
    case 'kept':
      return `kept ${event.object}: ${event.reason}`;
  }
}

interface ProgressStream {
  readonly isTTY?: boolean | undefined;
  readonly columns?: number | undefined;
  write(text: string): unknown;
}

export function progressPrinter(
  quiet: boolean,
  stream: ProgressStream = process.stderr,
  now: () => number = Date.now,
): ProgressListener {
  if (quiet) return silent;
  const started = now();
  return (event) => {
    const elapsed = ((now() - started) / 1000).toFixed(1).padStart(5);
    stream.write(`${elapsed}s ${line(event)}\n`);
  };
}

let active: LiveTable | undefined;

/** For install/upgrade/rollback: the live table when stderr is a terminal, else the line printer. */
export function deployProgress(
  quiet: boolean,
  stream: ProgressStream = process.stderr,
  env: NodeJS.ProcessEnv = process.env,
): ProgressListener {
  if (quiet || !stream.isTTY || env.TERM === 'dumb') return progressPrinter(quiet, stream);
  active = liveTable(stream);
  return active.listener;
}

/** Ends the live table (if one runs) before anything else is printed: the summary, an error. */
export function stopDeployProgress(): void {
  active?.stop();
  active = undefined;
}
