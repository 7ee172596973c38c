/**
 * What outlives the objects of a release when they are pruned or uninstalled, unless the user asks
 * for `--delete-data`: data volumes, the generated credentials those volumes were created with (a
 * reinstall must find the same passwords), namespaces a platform fills with workloads of its own
 * (CSGHub's spaces), whose contents berth never rendered, and any object annotated
 * `berth.dev/resource-policy: keep` (by a blueprint, or by the user through a patch). The one place
 * for this rule: the change set (prune, uninstall, plan) and a failed first install ask here.
 */
import { GENERATED_KEYS_ANNOTATION } from '../render/annotations.ts';
import { ANNOTATION } from './labels.ts';

export const DELETE_DATA_HINT = 'berth uninstall --delete-data removes it';

/** Why an object is kept, from its kind and (for Secrets) its live annotations; undefined when it goes. */
export function keepReason(
  kind: string,
  annotations: Readonly<Record<string, string>> | undefined,
): string | undefined {
  if (kind === 'PersistentVolumeClaim') return `data volume (${DELETE_DATA_HINT})`;
  if (kind === 'Namespace') return `namespace of the platform's own workloads (${DELETE_DATA_HINT})`;
  if (kind === 'Secret' && annotations?.[GENERATED_KEYS_ANNOTATION]) {
    return `generated credentials of kept data (${DELETE_DATA_HINT})`;
  }
  if (annotations?.[ANNOTATION.resourcePolicy] === 'keep') {
    return `annotated ${ANNOTATION.resourcePolicy}: keep (${DELETE_DATA_HINT})`;
  }
  return undefined;
}

/** Kinds whose fate needs no look at the live object. */
export function keptByKind(kind: string): boolean {
  return kind === 'PersistentVolumeClaim' || kind === 'Namespace';
}
