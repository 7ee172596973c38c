/**
 * The wiring verifier: checks a rendered release as a graph, not object by object. It runs on every
 * render (errors fail it, one line each) and in `berth lint`.
 */

import { valueReferences } from '../preflight/values-walk.ts';
import type { RenderResult } from '../render/render.ts';
import { containerFindings } from './checks/containers.ts';
import { credentialFindings } from './checks/credentials.ts';
import { ingressBackends, networkFindings } from './checks/network.ts';
import { objectReferenceFindings } from './checks/object-references.ts';
import { rolloutFindings, storageFindings } from './checks/rollout.ts';
import { ingressFindings, serviceFindings } from './checks/services.ts';
import { resolveEdges } from './edges.ts';
import type { Finding } from './findings.ts';
import { serviceNodes } from './graph.ts';
import { hostReferences } from './references.ts';
import { releaseView } from './view.ts';

export interface VerifyInput extends Pick<RenderResult, 'release' | 'namespace' | 'values' | 'manifests'> {
  /** Components that must never run two pods at once. */
  readonly singletons: ReadonlySet<string>;
  /** Secrets the blueprint expects the user to create. */
  readonly userProvidedSecrets?: readonly string[];
}

/** Names the user's values declare outside the release: existingSecret/existingClaim and any string. */
function declaredNames(values: unknown): Set<string> {
  const refs = valueReferences(values);
  const names = new Set<string>([...refs.secrets.map((s) => s.name), ...refs.claims.map((c) => c.name)]);
  const visit = (node: unknown): void => {
    if (typeof node === 'string') names.add(node);
    else if (Array.isArray(node)) node.forEach(visit);
    else if (node && typeof node === 'object') Object.values(node).forEach(visit);
  };
  visit(values);
  return names;
}

export function verifyRelease(input: VerifyInput): Finding[] {
  const view = releaseView(input);
  const services = serviceNodes(view);
  const declared = declaredNames(input.values);
  for (const name of input.userProvidedSecrets ?? []) declared.add(name);
  // A host the user typed (an external service that happens to share the release's prefix) is theirs.
  const typed = [...declared];
  const references = hostReferences(view).filter(
    (ref) => !typed.some((text) => text.includes(`${ref.host}${ref.suffix}`)),
  );
  const { edges, findings: referenceFindings } = resolveEdges(references, services, view.namespace);
  return [
    ...referenceFindings,
    ...objectReferenceFindings(view, declared),
    ...containerFindings(view.components),
    ...credentialFindings(view),
    ...serviceFindings(services),
    ...ingressFindings(ingressBackends(view), services),
    ...networkFindings(view, edges, services),
    ...rolloutFindings(view, input.singletons),
    ...storageFindings(view),
  ];
}
