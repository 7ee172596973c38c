/** Preflight's permission check: the caller's rules first, one access review per question they do not grant. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ApplicableObject, LiveObject } from '../../src/kube/types.ts';
import type { PermissionNeed, PreflightClient } from '../../src/preflight/model.ts';
import { missingPermissions } from '../../src/preflight/rbac.ts';

type Rule = { verbs: string[]; apiGroups: string[]; resources: string[]; resourceNames?: string[] };

/** Answers rules reviews with `rules` and access reviews from `allowed` (`verb group/resource`). */
function cluster(rules: { resourceRules?: Rule[]; incomplete?: boolean }, allowed: string[]) {
  const reviews: string[] = [];
  const client: PreflightClient = {
    serverVersion: async () => {
      throw new Error('not asked');
    },
    get: async () => undefined,
    list: async () => [],
    resourceInfo: async (_apiVersion, kind) =>
      ({ plural: `${kind.toLowerCase()}s`, namespaced: kind !== 'ClusterRole' }) as Awaited<
        ReturnType<PreflightClient['resourceInfo']>
      >,
    create: async (object: ApplicableObject) => {
      const spec = object.spec as { resourceAttributes?: { verb: string; group: string; resource: string } };
      if (object.kind === 'SelfSubjectRulesReview') return { ...object, status: rules } as LiveObject;
      const { verb, group, resource } = spec.resourceAttributes!;
      reviews.push(`${verb} ${group}/${resource}`);
      return {
        ...object,
        status: { allowed: allowed.includes(`${verb} ${group}/${resource}`) },
      } as LiveObject;
    },
  };
  return { client, reviews };
}

const needs: PermissionNeed[] = [
  { apiVersion: 'apps/v1', kind: 'Deployment', verbs: ['create', 'delete'], reason: 'rendered' },
  { apiVersion: 'v1', kind: 'Secret', verbs: ['create', 'get'], reason: 'release records' },
  { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', verbs: ['create'], reason: 'rendered' },
];

test('what the rules grant is not asked again; the rest is, one review each', async () => {
  const { client, reviews } = cluster(
    {
      resourceRules: [
        { verbs: ['*'], apiGroups: ['apps'], resources: ['deployments'] },
        { verbs: ['get'], apiGroups: [''], resources: ['secrets'] },
        // Rules for named objects only grant nothing on the resource as a whole.
        { verbs: ['create'], apiGroups: [''], resources: ['secrets'], resourceNames: ['one'] },
      ],
    },
    ['create rbac.authorization.k8s.io/clusterroles'],
  );
  const missing = await missingPermissions(client, needs, 'shop');
  assert.deepEqual(reviews, ['create /secrets', 'create rbac.authorization.k8s.io/clusterroles']);
  assert.deepEqual(missing, [{ resource: 'secrets', namespace: 'shop', verbs: ['create'] }]);
});

test('rules the server cannot tell completely are not trusted: every question is asked', async () => {
  const { client, reviews } = cluster(
    { incomplete: true, resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }] },
    [],
  );
  const missing = await missingPermissions(client, needs, 'shop');
  assert.equal(reviews.length, 5);
  assert.equal(missing.length, 3);
});
