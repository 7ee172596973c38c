/** The live stage progress of an install, upgrade or rollback, and its outcome. */
import { useState } from 'preact/hooks';

interface ProgressState {
  readonly running: boolean;
  readonly lines: readonly string[];
  readonly outcome?: { ok: boolean; text: string };
}

interface Event {
  type: string;
  stage?: string;
  object?: string;
  message?: string;
  change?: string;
  seconds?: number;
  objects?: number;
  reason?: string;
}

function describe(e: Event): string {
  switch (e.type) {
    case 'stage':
      return `[${e.stage}] applying ${e.objects} objects`;
    case 'applied':
      return `[${e.stage}] ${e.object} ${e.change}`;
    case 'waiting':
      return `[${e.stage}] waiting for ${e.object}: ${e.message}`;
    case 'ready':
      return `[${e.stage}] ${e.object} ready`;
    case 'stage-ready':
      return `[${e.stage}] ready after ${e.seconds}s`;
    case 'pruned':
      return `pruned ${e.object}`;
    case 'kept':
      return `kept ${e.object}: ${e.reason}`;
    default:
      return e.message ?? e.type;
  }
}

export function useProgress() {
  const [state, setState] = useState<ProgressState>({ running: false, lines: [] });
  const onEvent = (event: string, data: unknown) => {
    if (event === 'progress') setState((s) => ({ ...s, lines: [...s.lines, describe(data as Event)] }));
    else if (event === 'result') {
      const r = data as { release: string; status: string; revision: number };
      setState((s) => ({
        ...s,
        outcome: { ok: true, text: `release ${r.release} ${r.status} at revision ${r.revision}` },
      }));
    } else if (event === 'failed') {
      setState((s) => ({ ...s, outcome: { ok: false, text: (data as { error: string }).error } }));
    }
  };
  const run = async (work: () => Promise<void>) => {
    setState({ running: true, lines: [] });
    try {
      await work();
    } catch (error) {
      setState((s) => ({ ...s, outcome: { ok: false, text: (error as Error).message } }));
    }
    setState((s) => ({ ...s, running: false }));
  };
  return { state, onEvent, run };
}

export function Progress({ state }: { state: ProgressState }) {
  if (!state.running && !state.lines.length && !state.outcome) return null;
  return (
    <div class="progress" data-testid="progress">
      <pre>{state.lines.join('\n')}</pre>
      {state.running && <p class="muted">working…</p>}
      {state.outcome && (
        <p class={state.outcome.ok ? 'ok' : 'error'} data-testid="outcome">
          {state.outcome.text}
        </p>
      )}
    </div>
  );
}
