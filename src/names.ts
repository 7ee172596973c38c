/** Names the API server would refuse, caught before anything connects. */
import { BerthError } from './errors.ts';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_RULE =
  'lower-case letters, digits and "-", starting and ending with a letter or digit, at most 63 characters';
const isDnsLabel = (name: string) => name.length <= 63 && DNS_LABEL.test(name);

/**
 * A namespace as the API server accepts it (a DNS-1123 label). Checked before anything connects:
 * an empty namespace would otherwise make namespaced reads cluster-wide.
 */
export function checkNamespace(namespace: string): string {
  if (!isDnsLabel(namespace)) {
    throw new BerthError(
      'BERTH_NAMESPACE_INVALID',
      `--namespace ${JSON.stringify(namespace)}: expected a namespace name (${LABEL_RULE})`,
      { hint: 'kubectl get namespaces lists the existing ones' },
    );
  }
  return namespace;
}

/**
 * A DNS-1123 label given in a flag (a backup id): `field` names the flag.
 * Such names end up in label selectors and object names, so anything else is refused offline.
 */
export function checkLabelName(field: string, name: string, hint?: string): string {
  if (!isDnsLabel(name))
    throw new BerthError(
      'BERTH_NAME_INVALID',
      `${field} ${JSON.stringify(name)}: expected ${LABEL_RULE}`,
      hint === undefined ? {} : { hint },
    );
  return name;
}

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** The name of an object such as a Secret (a DNS-1123 subdomain) given in a flag. */
export function checkObjectName(field: string, name: string): string {
  if (name.length > 253 || !DNS_SUBDOMAIN.test(name))
    throw new BerthError(
      'BERTH_NAME_INVALID',
      `${field} ${JSON.stringify(name)}: expected an object name (lower-case letters, digits, "-" and ".", at most 253 characters)`,
    );
  return name;
}

/** A namespace that may be left out (the kubeconfig context's namespace is used then). */
export function checkOptionalNamespace(namespace: string | undefined): string | undefined {
  return namespace === undefined ? undefined : checkNamespace(namespace);
}

const RELEASE_NAME = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

/** A release name: object names derive from it, so it is a DNS label short enough to prefix them. */
export function checkReleaseName(release: string): void {
  if (!RELEASE_NAME.test(release) || release.length > 40) {
    throw new BerthError(
      'BERTH_RELEASE_NAME',
      `release name "${release}" is invalid: expected lower-case letters, digits and "-", starting with a letter, at most 40 characters`,
    );
  }
}
