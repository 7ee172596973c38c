/** Checks of command-line values that are not values documents: names and counts. */
import { BerthError } from '../errors.ts';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * A namespace as the API server accepts it (a DNS-1123 label). Checked before anything connects:
 * `-n ''` would otherwise make namespaced reads cluster-wide.
 */
export function checkNamespace(namespace: string): string {
  if (namespace.length > 63 || !DNS_LABEL.test(namespace)) {
    throw new BerthError(
      'BERTH_NAMESPACE_INVALID',
      `--namespace ${JSON.stringify(namespace)}: expected a namespace name (lower-case letters, digits and "-", starting and ending with a letter or digit, at most 63 characters)`,
      { hint: 'kubectl get namespaces lists the existing ones' },
    );
  }
  return namespace;
}

/** A namespace flag that may be left out (the kubeconfig context's namespace is used then). */
export function checkOptionalNamespace(namespace: string | undefined): string | undefined {
  return namespace === undefined ? undefined : checkNamespace(namespace);
}

/** A whole number in decimal digits (no `0x10`, `1e3` or `2.0`) within a range. */
export function parseWholeNumber(flag: string, text: string, range: { min: number; max: number }): number {
  const value = /^\d{1,9}$/.test(text) ? Number(text) : Number.NaN;
  if (!(value >= range.min && value <= range.max)) {
    throw new BerthError(
      'BERTH_FLAG_INVALID',
      `${flag}: expected a whole number from ${range.min} to ${range.max}, got ${JSON.stringify(text)}`,
    );
  }
  return value;
}
