/**
 * The caller's permissions for everything the install touches: first the caller's rules in the
 * namespace, in one SelfSubjectRulesReview; what those rules do not grant (or all of it, when the
 * server cannot list the rules completely) is asked one by one with SelfSubjectAccessReview — what
 * the API server itself would decide, whatever the authorizer: RBAC, webhook, node.
 */

import { KubeApiError, KubeUnknownKindError } from '../kube/errors.ts';
import type { PermissionNeed, PreflightClient } from './model.ts';
import { groupOf, guessPlural, resourceName } from './requirements.ts';

export interface AccessQuestion {
  readonly verb: string;
  readonly group: string;
  readonly resource: string;
  /** Undefined for cluster-scoped resources. */
  readonly namespace: string | undefined;
}

export interface MissingPermission {
  /** `statefulsets.apps`. */
  readonly resource: string;
  readonly namespace: string | undefined;
  readonly verbs: readonly string[];
}

/** Asks the API server whether the caller may do one thing. */
export async function canI(client: PreflightClient, question: AccessQuestion): Promise<boolean> {
  const review = await client.create({
    apiVersion: 'authorization.k8s.io/v1',
    kind: 'SelfSubjectAccessReview',
    metadata: { name: '' },
    spec: {
      resourceAttributes: {
        verb: question.verb,
        group: question.group,
        resource: question.resource,
        ...(question.namespace ? { namespace: question.namespace } : {}),
      },
    },
  });
  return (review.status as { allowed?: boolean } | undefined)?.allowed === true;
}

/** Plural and scope from discovery; a kind the cluster does not serve (a missing CRD) gets the conventional plural. */
async function resourceOf(
  client: PreflightClient,
  need: PermissionNeed,
): Promise<{ plural: string; namespaced: boolean }> {
  try {
    return await client.resourceInfo(need.apiVersion, need.kind);
  } catch (err) {
    if (err instanceof KubeUnknownKindError) return { plural: guessPlural(need.kind), namespaced: true };
    throw err;
  }
}

async function inBatches<T, R>(
  items: readonly T[],
  size: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += size)
    out.push(...(await Promise.all(items.slice(i, i + size).map(work))));
  return out;
}

interface ResourceRule {
  readonly verbs?: readonly string[];
  readonly apiGroups?: readonly string[];
  readonly resources?: readonly string[];
  readonly resourceNames?: readonly string[];
}

/** The caller's rules in `namespace`; undefined when the server cannot tell them all. */
async function rulesIn(client: PreflightClient, namespace: string): Promise<ResourceRule[] | undefined> {
  try {
    const review = await client.create({
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SelfSubjectRulesReview',
      metadata: { name: '' },
      spec: { namespace },
    });
    const status = review.status as
      | { resourceRules?: ResourceRule[]; incomplete?: boolean; evaluationError?: string }
      | undefined;
    if (!status || status.incomplete || status.evaluationError) return undefined;
    return status.resourceRules ?? [];
  } catch (err) {
    if (err instanceof KubeApiError) return undefined;
    throw err;
  }
}

const covers = (values: readonly string[] | undefined, value: string) =>
  Boolean(values?.includes('*') || values?.includes(value));

/** A rule grants a verb on every object of a resource in its namespace (rules for named objects only do not). */
function granted(rules: readonly ResourceRule[], question: AccessQuestion): boolean {
  return rules.some(
    (rule) =>
      !rule.resourceNames?.length &&
      covers(rule.verbs, question.verb) &&
      covers(rule.apiGroups, question.group) &&
      covers(rule.resources, question.resource),
  );
}

/** Every (resource, verb) the caller lacks, grouped by resource, in the order of `needs`. */
export async function missingPermissions(
  client: PreflightClient,
  needs: readonly PermissionNeed[],
  namespace: string,
): Promise<MissingPermission[]> {
  const questions: (AccessQuestion & { name: string })[] = [];
  // The namespace's rules are read alongside discovery; they say nothing of cluster-scoped resources.
  const [rules, resources] = await Promise.all([
    needs.length ? rulesIn(client, namespace) : undefined,
    Promise.all(needs.map((need) => resourceOf(client, need))),
  ]);
  for (const [i, need] of needs.entries()) {
    const { plural, namespaced } = resources[i]!;
    const group = groupOf(need.apiVersion);
    for (const verb of need.verbs) {
      questions.push({
        verb,
        group,
        resource: plural,
        namespace: namespaced ? namespace : undefined,
        name: resourceName(plural, group),
      });
    }
  }
  const answers = await inBatches(
    questions,
    16,
    async (q) => (q.namespace !== undefined && rules !== undefined && granted(rules, q)) || canI(client, q),
  );
  const missing = new Map<string, { namespace: string | undefined; verbs: string[] }>();
  questions.forEach((q, i) => {
    if (answers[i]) return;
    const entry = missing.get(q.name) ?? { namespace: q.namespace, verbs: [] };
    entry.verbs.push(q.verb);
    missing.set(q.name, entry);
  });
  return [...missing.entries()].map(([resource, e]) => ({
    resource,
    namespace: e.namespace,
    verbs: e.verbs,
  }));
}

/** `cannot create, patch statefulsets.apps in namespace shop`. */
export function describeMissing(missing: MissingPermission): string {
  const where = missing.namespace ? ` in namespace ${missing.namespace}` : ' (cluster-wide)';
  return `cannot ${missing.verbs.join(', ')} ${missing.resource}${where}`;
}

/** A `kubectl create role` command that grants what is missing in the namespace. */
export function grantCommand(missing: readonly MissingPermission[], namespace: string): string {
  const namespaced = missing.filter((m) => m.namespace);
  const verbs = [...new Set(namespaced.flatMap((m) => m.verbs))];
  const resources = namespaced.map((m) => m.resource);
  return `kubectl create role berth-deployer -n ${namespace} --verb=${verbs.join(',')} --resource=${resources.join(',')}`;
}
