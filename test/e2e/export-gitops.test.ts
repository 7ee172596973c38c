/**
 * `berth export gitops`: the folder of every blueprint applies with
 * `kubectl apply -k --server-side --dry-run=server` on the local control plane, with Secrets left
 * out, and with ExternalSecrets once their CRD is installed.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { runBerth } from '../support/cli.ts';
import { apply, kubectl, withNamespace } from './support/cluster.ts';

async function exportFolder(
  blueprint: string,
  namespace: string,
  extra: readonly string[] = [],
): Promise<string> {
  const dir = join(mkdtempSync(join(tmpdir(), 'berth-gitops-')), blueprint);
  const result = await runBerth([
    'export',
    'gitops',
    blueprint,
    '-n',
    namespace,
    '--output-dir',
    dir,
    ...extra,
  ]);
  assert.equal(result.code, 0, result.stderr);
  return dir;
}

async function dryRunApply(dir: string): Promise<string[]> {
  const applied = await kubectl(['apply', '-k', dir, '--server-side', '--dry-run=server', '-o', 'name'], {
    allowFailure: true,
  });
  assert.equal(applied.code, 0, applied.stderr);
  return applied.stdout.trim().split('\n');
}

/** A structural stand-in for External Secrets Operator's CRD: the API server accepts the objects. */
const EXTERNAL_SECRET_CRD = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'externalsecrets.external-secrets.io' },
  spec: {
    group: 'external-secrets.io',
    scope: 'Namespaced',
    names: {
      kind: 'ExternalSecret',
      plural: 'externalsecrets',
      singular: 'externalsecret',
      listKind: 'ExternalSecretList',
    },
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
      },
    ],
  },
};

// The bundled blueprints (those with examples): other e2e tests add imported ones for a while.
const blueprints = readdirSync('examples').sort();
/** CSGHub renders a cluster-wide space Namespace; another test's release may own the default one. */
const ownSpaceNamespace = (name: string, namespace: string) =>
  name === 'csghub' ? ['--set', `csghub.runner.namespace=${namespace}-space`] : [];

describe('berth export gitops', () => {
  for (const name of blueprints) {
    test(`${name}: the folder applies server-side (dry run)`, async (t) => {
      const namespace = await withNamespace(t, `gitops-${name}`);
      const dir = await exportFolder(name, namespace, ownSpaceNamespace(name, namespace));
      t.after(() => rmSync(join(dir, '..'), { recursive: true, force: true }));
      const applied = await dryRunApply(dir);
      assert.ok(applied.length > 1, applied.join('\n'));
      assert.ok(!applied.some((line) => line.startsWith('secret/')), 'no Secret is applied');
    });
  }

  test('with --secrets external-secrets the Secrets come as ExternalSecrets that apply', async (t) => {
    const namespace = await withNamespace(t, 'gitops-eso');
    await apply(namespace, [EXTERNAL_SECRET_CRD]);
    await kubectl([
      'wait',
      '--for=condition=Established',
      'crd/externalsecrets.external-secrets.io',
      '--timeout=60s',
    ]);
    const dir = await exportFolder('langfuse', namespace, [
      '--secrets',
      'external-secrets',
      '--secret-store',
      'vault',
    ]);
    t.after(() => rmSync(join(dir, '..'), { recursive: true, force: true }));
    const applied = await dryRunApply(dir);
    const externalSecrets = applied.filter((line) => line.startsWith('externalsecret.external-secrets.io/'));
    assert.deepEqual(externalSecrets.sort(), [
      'externalsecret.external-secrets.io/langfuse-app',
      'externalsecret.external-secrets.io/langfuse-clickhouse',
      'externalsecret.external-secrets.io/langfuse-minio',
      'externalsecret.external-secrets.io/langfuse-postgresql',
      'externalsecret.external-secrets.io/langfuse-redis',
    ]);
  });
});
