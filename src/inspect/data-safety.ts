/**
 * The data-safety view of a plan: what an upgrade would do to data and credentials — claims and
 * Secrets deleted, Secrets whose values change, objects replaced, and changes to fields the API
 * server will not update in place (the object has to be deleted and created anew). Read from the
 * plan's public result only: actions, redacted diffs and notes.
 */
import type { Plan, PlannedChange } from '../plan/plan.ts';
import { REDACTED_CHANGED } from '../plan/redact.ts';

export const SAFETY_RISKS = ['deleted', 'recreate', 'replaced', 'credentials', 'kept'] as const;
export type SafetyRisk = (typeof SAFETY_RISKS)[number];

export interface SafetyFinding {
  readonly risk: SafetyRisk;
  /** `Kind/name`. */
  readonly object: string;
  readonly component?: string | undefined;
  /** The fields concerned (`spec.volumeClaimTemplates`, a Secret's key names). */
  readonly fields: readonly string[];
  readonly reason: string;
}

export interface DataSafety {
  readonly findings: readonly SafetyFinding[];
  /** No finding but `kept`: nothing is deleted, replaced or re-keyed. */
  readonly safe: boolean;
}

const RECREATE_CLAIM =
  'a claim cannot change this in place; a new claim starts with an empty volume (berth backup first)';

/** Fields under `spec` the API server refuses to update, per kind, and what re-creating means. */
const IMMUTABLE: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  StatefulSet: {
    selector: 'the StatefulSet must be re-created; its claims are found again by name',
    serviceName: 'the StatefulSet must be re-created; its claims are found again by name',
    podManagementPolicy: 'the StatefulSet must be re-created; its claims are found again by name',
    volumeClaimTemplates:
      'the StatefulSet must be re-created; existing claims keep their size and class, the new template applies to new claims only',
  },
  Deployment: { selector: 'the Deployment must be re-created (its pods restart)' },
  DaemonSet: { selector: 'the DaemonSet must be re-created (its pods restart)' },
  Job: {
    selector: 'Jobs are immutable: berth deletes the Job and creates it anew',
    template: 'Jobs are immutable: berth deletes the Job and creates it anew',
  },
  PersistentVolumeClaim: {
    storageClassName: RECREATE_CLAIM,
    accessModes: RECREATE_CLAIM,
    volumeMode: RECREATE_CLAIM,
    volumeName: RECREATE_CLAIM,
    selector: RECREATE_CLAIM,
    dataSource: RECREATE_CLAIM,
    resources: 'a claim can only grow; a smaller size needs a new, empty claim (berth backup first)',
  },
  Service: {
    clusterIP: 'the Service must be re-created and gets a new address',
    clusterIPs: 'the Service must be re-created and gets a new address',
  },
};

/** What the API server says when an update touches an immutable field (from a failed dry run). */
const IMMUTABLE_REFUSAL =
  /field is immutable|is immutable|may not change once set|Forbidden: updates to \w+ spec for fields other than/i;
const REFUSED_FIELD = /\b((?:spec|data|stringData|binaryData)(?:\.[\w[\]]+)*): (?:Forbidden|Invalid value)/g;

const KEPT_NOTE = /^(PersistentVolumeClaim|Secret)\/(\S+) stays: (.*)$/;

function kindOf(change: Pick<PlannedChange, 'ref'>): string {
  return change.ref.kind;
}

const KEY_LINE = /^( *)(?:- )?([^\s:#][^:]*):(?: (.*))?$/;

interface ChangedLine {
  readonly sign: '+' | '-';
  /** The key two spaces in that the line is, or is under. */
  readonly key: string;
  /** The value when the line is that key itself. */
  readonly value: string | undefined;
}

/**
 * The changed lines of a diff under a top-level key (`spec`, `data`), each with the key two spaces
 * in that holds it. A line whose ancestors lie outside its hunk's context is left out, not guessed.
 */
export function changedLinesUnder(diff: string, top: string): ChangedLine[] {
  const lines: ChangedLine[] = [];
  for (const hunk of diff.split(/^@@.*$/m).slice(1)) {
    let inTop: boolean | undefined;
    let key: string | undefined;
    for (const line of hunk.split('\n')) {
      const sign = line[0];
      const match = KEY_LINE.exec(line.slice(1));
      const indent = match?.[1]?.length;
      if (match && indent === 0) {
        inTop = match[2] === top;
        key = undefined;
      } else if (match && indent === 2) key = inTop === false ? undefined : match[2];
      if ((sign === '+' || sign === '-') && key && inTop !== false)
        lines.push({ sign, key, value: indent === 2 ? match?.[3] : undefined });
    }
  }
  return lines;
}

/** The keys under `spec` a diff changes. */
export function changedSpecKeys(diff: string): string[] {
  return [...new Set(changedLinesUnder(diff, 'spec').map((l) => l.key))].sort();
}

/** Key names of a Secret's `data` whose value changes or goes, from its redacted diff. */
function rekeyedSecretKeys(diff: string): string[] {
  const lines = changedLinesUnder(diff, 'data').filter((l) => l.value !== undefined);
  const added = new Set(lines.filter((l) => l.sign === '+').map((l) => l.key));
  const keys = lines
    .filter((l) => (l.sign === '+' ? l.value === REDACTED_CHANGED : !added.has(l.key)))
    .map((l) => l.key);
  return [...new Set(keys)].sort();
}

function immutableFinding(change: PlannedChange): SafetyFinding | undefined {
  const rules = IMMUTABLE[kindOf(change)] ?? {};
  const refused = change.note !== undefined && IMMUTABLE_REFUSAL.test(change.note);
  const jobReplaced = kindOf(change) === 'Job' && change.note?.startsWith('Jobs are immutable') === true;
  const touched = changedSpecKeys(change.diff).filter((key) => rules[key]);
  if (!refused && !jobReplaced && touched.length === 0) return undefined;
  const named = refused ? [...change.note!.matchAll(REFUSED_FIELD)].map((m) => m[1]!) : [];
  const fields = [
    ...new Set([...named.filter((f) => f !== 'spec'), ...touched.map((k) => `spec.${k}`)]),
  ].sort();
  const reasons = [...new Set(touched.map((k) => rules[k]!))];
  if (jobReplaced && reasons.length === 0) reasons.push(rules.template!);
  const reason = reasons.length
    ? reasons.join('; ')
    : `the API server refuses to update it in place: ${change.note}`;
  return {
    risk: kindOf(change) === 'Job' ? 'replaced' : 'recreate',
    object: change.object,
    component: change.component,
    fields,
    reason,
  };
}

function findingsOf(change: PlannedChange): SafetyFinding[] {
  const kind = kindOf(change);
  const base = { object: change.object, component: change.component };
  if (change.action === 'prune') {
    if (kind === 'PersistentVolumeClaim')
      return [{ ...base, risk: 'deleted', fields: [], reason: 'the claim is deleted, and its data with it' }];
    if (kind === 'Secret')
      return [
        {
          ...base,
          risk: 'deleted',
          fields: [],
          reason: 'the Secret is deleted; data created with its credentials may not open without them',
        },
      ];
    return [];
  }
  if (change.action !== 'change') return [];
  const findings: SafetyFinding[] = [];
  const immutable = immutableFinding(change);
  if (immutable) findings.push(immutable);
  if (kind === 'Secret') {
    const keys = rekeyedSecretKeys(change.diff);
    if (keys.length)
      findings.push({
        ...base,
        risk: 'credentials',
        fields: keys,
        reason: 'values change or go: whatever stored data was created with them must be changed too',
      });
  }
  return findings;
}

export function dataSafety(plan: Pick<Plan, 'changes' | 'notes'>): DataSafety {
  const findings = plan.changes.flatMap(findingsOf);
  for (const note of plan.notes) {
    const kept = KEPT_NOTE.exec(note);
    if (kept) findings.push({ risk: 'kept', object: `${kept[1]}/${kept[2]}`, fields: [], reason: kept[3]! });
  }
  const order = (f: SafetyFinding) => SAFETY_RISKS.indexOf(f.risk);
  findings.sort((a, b) => order(a) - order(b) || a.object.localeCompare(b.object));
  return { findings, safe: findings.every((f) => f.risk === 'kept') };
}
