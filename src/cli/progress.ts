/** Live progress on stderr: one line per change, prefixed with the stage. Quiet for --output json. */
import type { ProgressEvent, ProgressListener } from '../release/progress.ts';
import { silent } from '../release/progress.ts';

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

export function progressPrinter(quiet: boolean): ProgressListener {
  if (quiet) return silent;
  const started = Date.now();
  return (event) => {
    const elapsed = ((Date.now() - started) / 1000).toFixed(1).padStart(5);
    process.stderr.write(`${elapsed}s ${line(event)}\n`);
  };
}
