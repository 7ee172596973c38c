/** adopt helm: take over a Helm release of a chart berth recognises, or hand it back (--undo). */
import { type AdoptionResult, type AdoptRequest, adoptHelmRelease } from '../adopt/adopt.ts';
import { type HandBack, handBackToHelm } from '../adopt/undo.ts';
import { silent } from '../release/progress.ts';
import { readinessWaiter } from '../release/waiter.ts';
import { connectRelease } from './cluster.ts';
import type { ActionEvents, ReleaseAt } from './deploy.ts';
import { preflightGate } from './preflight.ts';

export interface AdoptHelmRequest extends ReleaseAt, AdoptRequest {
  readonly dryRun: boolean;
  readonly timeoutMs: number;
}

export function adoptHelm(request: AdoptHelmRequest, events: ActionEvents = {}): Promise<AdoptionResult> {
  const target = connectRelease(request.release, request.cluster);
  return adoptHelmRelease(
    target,
    { blueprint: request.blueprint, values: request.values },
    {
      wait: true,
      timeoutMs: request.timeoutMs,
      atomic: false,
      dryRun: request.dryRun,
      adopt: true,
      historyMax: 10,
      createNamespace: false,
      preflight: (input) => preflightGate(target, input),
      waiter: readinessWaiter(target.client),
      progress: events.progress ?? silent,
    },
  );
}

export function handBackHelm(request: ReleaseAt): Promise<HandBack> {
  return handBackToHelm(connectRelease(request.release, request.cluster));
}
