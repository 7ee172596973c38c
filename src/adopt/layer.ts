/**
 * The layer an adoption derives from a chart install (its values mapped, the chart's data layout),
 * kept with every revision of the release. Records hold no credential, so a credential found in
 * the chart's values does not enter the layer: it is named in the plan, for the user to supply.
 */
import { mapCredentials } from '../plan/redact.ts';
import { isPlainObject } from '../values/merge.ts';

const DROPPED = '\u0000berth-dropped-credential\u0000';

function prune(node: unknown): unknown {
  if (Array.isArray(node))
    return node
      .filter((item) => !(typeof item === 'string' && item.includes(DROPPED)))
      .filter(
        (item) => !(isPlainObject(item) && typeof item.value === 'string' && item.value.includes(DROPPED)),
      )
      .map(prune);
  if (isPlainObject(node))
    return Object.fromEntries(
      Object.entries(node)
        .filter(([, value]) => !(typeof value === 'string' && value.includes(DROPPED)))
        .map(([key, value]) => [key, prune(value)]),
    );
  return node;
}

/** The values without their credentials (an env entry goes whole), and where each was. */
export function withoutCredentials(values: Record<string, unknown>): {
  values: Record<string, unknown>;
  dropped: string[];
} {
  const dropped = new Set<string>();
  const marked = mapCredentials(values, (credential) => {
    dropped.add(credential.path.join('.'));
    return DROPPED;
  });
  return { values: prune(marked) as Record<string, unknown>, dropped: [...dropped] };
}
