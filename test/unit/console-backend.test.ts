/** The console lists releases with namespace-scoped credentials: cluster-wide when allowed, else per namespace. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clusterBackend } from '../../src/actions/console.ts';
import type { KubeClient, ListQuery } from '../../src/kube/client.ts';
import { KubeApiError } from '../../src/kube/errors.ts';

function head(namespace: string, release: string) {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: `berth.${release}.v1`,
      namespace,
      labels: { 'berth.dev/release': release, 'berth.dev/revision': '1', 'berth.dev/status': 'deployed' },
      annotations: { 'berth.dev/blueprint': 'langfuse-0.1.0' },
    },
  };
}

function forbidden(namespace: string | undefined) {
  return new KubeApiError('BERTH_KUBE_FORBIDDEN', {
    verb: 'list',
    target: { kind: 'Secret', namespace },
    status: 403,
    reason: 'Forbidden',
    apiMessage: 'secrets is forbidden',
    causes: [],
  });
}

/** A client allowed to list Secrets in `allowed` only (undefined: every namespace). */
function client(allowed: readonly string[] | undefined, asked: (string | undefined)[]): KubeClient {
  const heads = [head('team-a', 'one'), head('team-b', 'two'), head('other', 'three')];
  return {
    context: 'test',
    namespace: 'team-a',
    async listMetadata(query: ListQuery) {
      asked.push(query.namespace);
      if (allowed && (query.namespace === undefined || !allowed.includes(query.namespace)))
        throw forbidden(query.namespace);
      return heads.filter((h) => query.namespace === undefined || h.metadata.namespace === query.namespace);
    },
  } as unknown as KubeClient;
}

const names = (list: { releases: readonly { namespace: string; release: string }[] }) =>
  list.releases.map((r) => `${r.namespace}/${r.release}`);

test('with cluster-wide permission, one list across every namespace', async () => {
  const asked: (string | undefined)[] = [];
  const list = await clusterBackend(client(undefined, asked), {
    namespaces: ['team-a'],
    allNamespaces: true,
  }).listReleases();
  assert.deepEqual(names(list), ['other/three', 'team-a/one', 'team-b/two']);
  assert.deepEqual(asked, [undefined]);
});

test('namespace-scoped: falls back to the namespaces given, and names those it may not read', async () => {
  const asked: (string | undefined)[] = [];
  const list = await clusterBackend(client(['team-a'], asked), {
    namespaces: ['team-a', 'team-b'],
    allNamespaces: true,
  }).listReleases();
  assert.deepEqual(names(list), ['team-a/one']);
  assert.deepEqual(list.notes, ['namespace team-b: not allowed to list Secrets']);
  assert.deepEqual(asked, [undefined, 'team-a', 'team-b']);
});

test('namespaces given on the command line: never a cluster-wide list', async () => {
  const asked: (string | undefined)[] = [];
  const list = await clusterBackend(client(undefined, asked), {
    namespaces: ['team-b'],
    allNamespaces: false,
  }).listReleases();
  assert.deepEqual(names(list), ['team-b/two']);
  assert.deepEqual(asked, ['team-b']);
});
