/** The data-safety section `berth plan` prints after the diffs. */
import type { DataSafety } from '../inspect/data-safety.ts';

export function formatDataSafety(safety: DataSafety): string {
  const lines = [
    safety.safe
      ? 'Data safety: no claim or Secret deleted, no value re-keyed, nothing to re-create'
      : 'Data safety: CHECK BEFORE UPGRADING',
  ];
  for (const f of safety.findings) {
    const owner = f.component ? ` (${f.component})` : '';
    const fields = f.fields.length ? ` [${f.fields.join(', ')}]` : '';
    lines.push(`  ${f.risk.padEnd(11)} ${f.object}${owner}${fields}: ${f.reason}`);
  }
  return `${lines.join('\n')}\n`;
}
