/** Text forms of a report and of the offline checklist (strings only; the CLI prints them). */
import type { PreflightReport, Requirements } from './model.ts';
import { formatCpu, formatMemory } from './quantity.ts';
import { groupOf, guessPlural, resourceName } from './requirements.ts';

const MARKS = { pass: 'PASS', warn: 'WARN', fail: 'FAIL' } as const;

export function formatReport(report: PreflightReport): string[] {
  const lines = [
    `preflight of ${report.blueprint} as release ${report.release} in namespace ${report.namespace}:`,
  ];
  for (const check of report.checks) {
    lines.push(`${MARKS[check.outcome]}  ${check.title}: ${check.message}`);
    for (const detail of check.details ?? []) lines.push(`        - ${detail}`);
    if (check.hint && check.outcome !== 'pass') lines.push(`        hint: ${check.hint}`);
  }
  const counts = (['pass', 'warn', 'fail'] as const).map(
    (o) =>
      `${report.checks.filter((c) => c.outcome === o).length} ${o === 'pass' ? 'passed' : o === 'warn' ? 'warnings' : 'failed'}`,
  );
  lines.push(`result: ${report.outcome.toUpperCase()} (${counts.join(', ')})`);
  return lines;
}

/** The requirements as a checklist to tick off by hand (`--offline`). */
export function formatChecklist(requirements: Requirements, blueprint: string): string[] {
  const r = requirements;
  const ns = r.namespace;
  const lines = [`requirements of ${blueprint} in namespace ${ns} (offline: nothing was checked):`];
  const section = (title: string, items: readonly string[], none: string) => {
    lines.push('', `${title}:`);
    if (items.length === 0) lines.push(`  [ ] ${none}`);
    for (const item of items) lines.push(`  [ ] ${item}`);
  };
  section('Kubernetes version', [`server version satisfies ${r.kubeVersion || 'any'} (kubectl version)`], '');
  const classItem = (kind: string, name: string | undefined, users: readonly string[]) =>
    `${name === undefined ? `a default ${kind}` : `${kind} ${name}`} exists, for ${users.join(', ')}`;
  section(
    'StorageClasses',
    r.storage.map((s) => classItem('StorageClass', s.storageClass, s.claims)),
    'none needed (no persistent volumes)',
  );
  section(
    'IngressClass',
    r.ingressClasses.map((i) => classItem('IngressClass', i.className, i.ingresses)),
    'none needed (no Ingress)',
  );
  section(
    'CustomResourceDefinitions',
    [
      ...r.crds.map((c) => `CRD ${c.name} installed, for ${c.neededBy.join(', ')}`),
      ...r.issuers.map(
        (i) => `cert-manager ${i.kind} ${i.name} exists${i.kind === 'Issuer' ? ` in ${ns}` : ''}`,
      ),
    ],
    'none needed',
  );
  section(
    'Existing Secrets',
    r.secrets.map(
      (s) =>
        `Secret ${s.name} in ${ns}${s.keys.length > 0 ? ` with keys ${s.keys.join(', ')}` : ''} (${s.referencedBy.join(', ')})`,
    ),
    'none referenced',
  );
  section(
    'Existing PersistentVolumeClaims',
    r.claims.map((c) => `PersistentVolumeClaim ${c.name} in ${ns} (${c.referencedBy.join(', ')})`),
    'none referenced',
  );
  const res = r.resources;
  section(
    'CPU and memory',
    [
      `schedulable nodes have ${formatCpu(res.cpu)} CPU and ${formatMemory(res.memory)} memory free for ${res.pods} pods (warn above 80%)`,
      ...res.workloads.map(
        (w) => `  ${w.workload}: ${w.replicas} × (${formatCpu(w.cpu)} CPU, ${formatMemory(w.memory)})`,
      ),
    ],
    '',
  );
  section(
    `Permissions in the namespace (kubectl auth can-i <verb> <resource> -n ${ns})`,
    r.permissions.map(
      (p) =>
        `${p.verbs.join(', ')} ${resourceName(guessPlural(p.kind), groupOf(p.apiVersion))} (${p.reason})`,
    ),
    '',
  );
  lines.push(
    '',
    'Pod Security:',
    '  [ ] the namespace enforces a level the pods meet (berth pods meet "restricted" unless values add exceptions)',
  );
  return lines;
}
