/**
 * Field ownership on adoption and hand-back. Helm (client-side or server-side apply) and kubectl
 * leave managedFields entries; a forced server-side apply by berth takes the fields it sets but
 * leaves the other tool as owner of the rest, and those fields would then never go away. So, as
 * kubectl does when it moves an object from client-side to server-side apply, the entries of those
 * managers are merged into berth's Apply entry: berth's next apply removes what it no longer
 * renders. Secrets are the exception: their keys go to a separate manager so the chart's keys stay
 * (a hand-back must find the passwords Helm generated). Helm's ownership marks stay with Helm until
 * the berth revision is deployed.
 */
import type { ManagedFieldsEntry } from '../kube/types.ts';

export const BERTH_MANAGER = 'berth';
/** Owns the keys a chart wrote into Secrets berth took over. */
export const KEPT_MANAGER = 'berth-adopted';
/** Managers whose ownership berth takes over: Helm 3 and 4, kubectl client-side apply. */
export const FOREIGN_MANAGERS: ReadonlySet<string> = new Set([
  'helm',
  'kubectl-client-side-apply',
  'before-first-apply',
  'kubectl',
  'kubectl-edit',
]);

/** Helm's marks of ownership: the label and annotations `helm upgrade` checks. */
export const HELM_OWNERSHIP = {
  label: 'app.kubernetes.io/managed-by',
  releaseName: 'meta.helm.sh/release-name',
  releaseNamespace: 'meta.helm.sh/release-namespace',
} as const;

type Fields = Record<string, unknown>;

export function mergeFields(a: Fields, b: Fields): Fields {
  const out: Fields = { ...a };
  for (const [key, value] of Object.entries(b)) {
    const existing = out[key];
    out[key] =
      existing && typeof existing === 'object' && value && typeof value === 'object'
        ? mergeFields(existing as Fields, value as Fields)
        : value;
  }
  return out;
}

/** Splits Helm's ownership marks out of a field set: [the marks, the rest]. */
function splitOwnership(fields: Fields): [Fields, Fields] {
  const metadata = (fields['f:metadata'] ?? {}) as Fields;
  const labels = { ...((metadata['f:labels'] ?? {}) as Fields) };
  const annotations = { ...((metadata['f:annotations'] ?? {}) as Fields) };
  const marks: Fields = {};
  const take = (from: Fields, key: string, into: string) => {
    if (!(key in from)) return;
    marks[into] = { ...((marks[into] ?? {}) as Fields), [key]: from[key] };
    delete from[key];
  };
  take(labels, `f:${HELM_OWNERSHIP.label}`, 'f:labels');
  take(annotations, `f:${HELM_OWNERSHIP.releaseName}`, 'f:annotations');
  take(annotations, `f:${HELM_OWNERSHIP.releaseNamespace}`, 'f:annotations');
  const rest: Fields = {
    ...fields,
    'f:metadata': { ...metadata, 'f:labels': labels, 'f:annotations': annotations },
  };
  return [Object.keys(marks).length ? { 'f:metadata': marks } : {}, rest];
}

/**
 * managedFields with every foreign entry of the main resource merged into `into` (berth's Apply
 * entry, or the kept manager for Secrets); Helm keeps only its ownership marks. Undefined when
 * there is nothing to move.
 */
export function takeOverFields(
  entries: readonly ManagedFieldsEntry[],
  apiVersion: string,
  into: string,
): ManagedFieldsEntry[] | undefined {
  const foreign = entries.filter((e) => !e.subresource && FOREIGN_MANAGERS.has(e.manager ?? ''));
  if (foreign.length === 0) return undefined;
  const union = foreign.reduce<Fields>((all, e) => mergeFields(all, (e.fieldsV1 ?? {}) as Fields), {});
  const [marks, rest] = splitOwnership(union);
  const kept = entries.filter(
    (e) => !foreign.includes(e) && !(e.manager === into && e.operation === 'Apply'),
  );
  const previous = entries.find((e) => e.manager === into && e.operation === 'Apply' && !e.subresource);
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const taken: ManagedFieldsEntry = {
    manager: into,
    operation: 'Apply',
    apiVersion,
    time: now,
    fieldsType: 'FieldsV1',
    fieldsV1: mergeFields((previous?.fieldsV1 ?? {}) as Fields, rest),
  };
  const helmMarks: ManagedFieldsEntry[] = Object.keys(marks).length
    ? [
        {
          manager: 'helm',
          operation: 'Update',
          apiVersion,
          time: now,
          fieldsType: 'FieldsV1',
          fieldsV1: marks,
        },
      ]
    : [];
  return [...kept, taken, ...helmMarks];
}

/** managedFields with berth's entries handed back to Helm, as Helm wrote them (Apply under SSA, else Update). */
export function handBackFields(
  entries: readonly ManagedFieldsEntry[],
  apiVersion: string,
  operation: 'Apply' | 'Update',
): ManagedFieldsEntry[] | undefined {
  const ours = entries.filter(
    (e) =>
      !e.subresource && (e.manager === BERTH_MANAGER || e.manager === KEPT_MANAGER || e.manager === 'helm'),
  );
  if (ours.length === 0) return undefined;
  const union = ours.reduce<Fields>((all, e) => mergeFields(all, (e.fieldsV1 ?? {}) as Fields), {});
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  return [
    ...entries.filter((e) => !ours.includes(e)),
    { manager: 'helm', operation, apiVersion, time: now, fieldsType: 'FieldsV1', fieldsV1: union },
  ];
}
