/** The human form of a Plan: a summary line, then one diff per object that changes. */
import { colorizeDiff } from './diff.ts';
import type { Plan, PlanAction } from './plan.ts';

const SYMBOL: Record<PlanAction, string> = { create: '+', change: '~', prune: '-', unchanged: ' ' };

export function summaryLine(plan: Plan): string {
  const { create, change, prune, unchanged } = plan.summary;
  const counts = `${create} to create, ${change} to change, ${prune} to prune, ${unchanged} unchanged`;
  if (plan.kind === 'Drift')
    return `Drift of release ${plan.release} in ${plan.namespace} from revision ${plan.revision}: ${create + change + prune === 0 ? 'none, ' : ''}${counts}`;
  const base = plan.revision === undefined ? 'a new release' : `revision ${plan.revision}`;
  return `Plan for release ${plan.release} in ${plan.namespace} (against ${base}): ${counts}`;
}

/** The text `berth plan` / `berth drift` print; `color` adds ANSI colours to the diffs. */
export function formatPlan(plan: Plan, options: { readonly color: boolean }): string {
  const lines = [summaryLine(plan)];
  for (const change of plan.changes) {
    if (change.action === 'unchanged') continue;
    const owner = change.component ? ` (${change.component})` : '';
    lines.push('', `${SYMBOL[change.action]} ${change.object}${owner}: ${change.action}`);
    if (change.note) lines.push(`  note: ${change.note}`);
    const diff = change.diff.replace(/\n$/, '');
    if (diff) lines.push(options.color ? colorizeDiff(diff) : diff);
  }
  return `${lines.join('\n')}\n`;
}
