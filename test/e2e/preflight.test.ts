/**
 * berth preflight end to end: the real CLI against the real local control plane, one namespace per
 * test. Each failing case asserts the failing check, its finding and its hint.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, type TestContext, test } from 'node:test';
import type { PreflightCheck, PreflightReport } from '../../src/preflight/model.ts';
import { berth } from './support/berth.ts';
import { kubectl, kubectlJson, withNamespace } from './support/cluster.ts';

async function preflight(args: string[]): Promise<{ code: number; report: PreflightReport; stderr: string }> {
  const result = await berth(['preflight', ...args, '-o', 'json']);
  assert.ok(
    result.stdout.trim().startsWith('{'),
    `expected a JSON report, got:\n${result.stdout}\n${result.stderr}`,
  );
  const report = JSON.parse(result.stdout) as PreflightReport & { apiVersion: string; kind: string };
  assert.equal(report.apiVersion, 'berth.dev/v1');
  assert.equal(report.kind, 'Preflight');
  return { code: result.code, report, stderr: result.stderr };
}

/** Runs preflight of langfuse with `--set`s, expects exit 3 and the check `id` to fail, and returns it. */
async function failingCheck(ns: string, sets: string[], id: PreflightCheck['id']): Promise<PreflightCheck> {
  const { code, report } = await preflight(['langfuse', '-n', ns, ...sets.flatMap((s) => ['--set', s])]);
  assert.equal(code, 3);
  const check = checkOf(report, id);
  assert.equal(check.outcome, 'fail', JSON.stringify(check));
  return check;
}

function checkOf(report: PreflightReport, id: PreflightCheck['id']): PreflightCheck {
  const found = report.checks.find((c) => c.id === id);
  assert.ok(found, `no ${id} check in ${report.checks.map((c) => c.id).join(', ')}`);
  return found;
}

/** A kubeconfig for a ServiceAccount of `ns`, authenticated with a TokenRequest token. */
async function serviceAccountKubeconfig(t: TestContext, ns: string, sa: string): Promise<string> {
  const token = (await kubectl(['create', 'token', sa, '-n', ns, '--duration=10m'])).stdout.trim();
  const config = await kubectlJson<{
    users: unknown[];
    contexts: { name: string; context: Record<string, string> }[];
    'current-context': string;
  }>(['config', 'view', '--raw', '--minify']);
  config.users = [{ name: sa, user: { token } }];
  for (const context of config.contexts) context.context = { ...context.context, user: sa, namespace: ns };
  const dir = mkdtempSync(join(tmpdir(), 'berth-preflight-'));
  const file = join(dir, 'kubeconfig.json');
  writeFileSync(file, JSON.stringify(config), { mode: 0o600 });
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return file;
}

describe('berth preflight', { concurrency: true }, () => {
  test('passes for langfuse defaults on the local cluster', async (t) => {
    const ns = await withNamespace(t, 'pf-pass');
    const { code, report } = await preflight(['langfuse', '-n', ns]);
    const notPassing = report.checks.filter((c) => c.outcome !== 'pass');
    assert.ok(code === 0 || code === 4, `exit ${code}: ${JSON.stringify(notPassing, null, 2)}`);
    assert.deepEqual(
      notPassing.filter((c) => c.outcome === 'fail'),
      [],
    );
    for (const id of [
      'kube-version',
      'rbac',
      'storage-class',
      'existing-secrets',
      'capacity',
      'pod-security',
    ] as const) {
      assert.equal(checkOf(report, id).outcome, 'pass', `${id}: ${checkOf(report, id).message}`);
    }
    // The text form says the same.
    const text = await berth(['preflight', 'langfuse', '-n', ns]);
    assert.equal(text.code, code);
    assert.match(text.stdout, /PASS {2}Kubernetes version: Kubernetes 1\.\d+\.\d+ satisfies >=1\.24\.0/);
  });

  test('fails when the StorageClass does not exist', async (t) => {
    const ns = await withNamespace(t, 'pf-sc');
    const check = await failingCheck(ns, ['global.storageClass=nope'], 'storage-class');
    assert.match(
      check.details?.join('\n') ?? '',
      /StorageClass nope does not exist \(needed by StatefulSet\/langfuse-clickhouse/,
    );
    assert.match(
      check.hint ?? '',
      /StorageClasses in the cluster: standard \(default\)\. Set global\.storageClass/,
    );
  });

  test('fails when an existingSecret lacks a documented key', async (t) => {
    const ns = await withNamespace(t, 'pf-secret');
    await kubectl(['create', 'secret', 'generic', 'pg-creds', '-n', ns, '--from-literal=username=langfuse']);
    const check = await failingCheck(
      ns,
      [
        'integrations.postgresql.enabled=true',
        'integrations.postgresql.existingSecret=pg-creds',
        'integrations.postgresql.host=db.example.com',
      ],
      'existing-secrets',
    );
    const details = check.details?.join('\n') ?? '';
    assert.match(
      details,
      /Secret pg-creds lacks key password \(referenced by .*values integrations\.postgresql\.existingSecret\)/,
    );
    assert.doesNotMatch(details, /username/, 'only missing keys are named');
    assert.match(check.hint ?? '', /kubectl create secret generic <name> -n /);
    // A missing Secret altogether is named too.
    const missing = await preflight(['langfuse', '-n', ns, '--set', 'langfuse.existingSecret=nowhere']);
    assert.match(
      checkOf(missing.report, 'existing-secrets').details?.join('\n') ?? '',
      /Secret nowhere does not exist in namespace/,
    );
  });

  test('fails when RBAC forbids creating StatefulSets', async (t) => {
    const ns = await withNamespace(t, 'pf-rbac');
    await kubectl(['create', 'serviceaccount', 'deployer', '-n', ns]);
    await kubectl([
      'create',
      'role',
      'deployer',
      '-n',
      ns,
      '--verb=create,patch,get,list,watch,delete',
      '--resource=secrets,services,deployments.apps,jobs.batch,leases.coordination.k8s.io',
    ]);
    await kubectl([
      'create',
      'rolebinding',
      'deployer',
      '-n',
      ns,
      '--role=deployer',
      `--serviceaccount=${ns}:deployer`,
    ]);
    const kubeconfig = await serviceAccountKubeconfig(t, ns, 'deployer');
    const { code, report } = await preflight(['langfuse', '--kubeconfig', kubeconfig]);
    assert.equal(report.namespace, ns, "the kubeconfig context's namespace is used");
    assert.equal(code, 3);
    const check = checkOf(report, 'rbac');
    assert.equal(check.outcome, 'fail');
    assert.deepEqual(check.details, [
      `cannot create, patch, get, list, watch, delete statefulsets.apps in namespace ${ns}`,
    ]);
    assert.match(
      check.hint ?? '',
      new RegExp(`kubectl create role berth-deployer -n ${ns} .*--resource=statefulsets\\.apps`),
    );
    // What the ServiceAccount may not read is a warning, not a failure.
    assert.equal(checkOf(report, 'capacity').outcome, 'warn');
    assert.match(checkOf(report, 'capacity').message, /not allowed to list Node/);
  });

  test('fails when requests exceed the capacity of the nodes', async (t) => {
    const ns = await withNamespace(t, 'pf-capacity');
    const check = await failingCheck(
      ns,
      ['services.web.replicas=200', 'services.web.resources.requests.cpu=2'],
      'capacity',
    );
    assert.match(check.details?.join('\n') ?? '', /CPU: needs \d+(\.\d+)?, only \d+(\.\d+)? free/);
    assert.match(check.hint ?? '', /lower services\.<name>\.replicas or resources\.requests, or add nodes/);
  });

  test('passes when the namespace enforces restricted (violations are unit-tested)', async (t) => {
    const ns = await withNamespace(t, 'pf-pss');
    await kubectl(['label', 'namespace', ns, 'pod-security.kubernetes.io/enforce=restricted']);
    const ok = await preflight(['langfuse', '-n', ns]);
    assert.equal(checkOf(ok.report, 'pod-security').outcome, 'pass');
    assert.match(
      checkOf(ok.report, 'pod-security').message,
      /enforces "restricted"; the pods meet "restricted"/,
    );
  });

  test('--offline prints the requirements without a cluster', async () => {
    const result = await berth(['preflight', 'langfuse', '--offline', '--kubeconfig', '/nonexistent']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /\[ \] a default StorageClass exists/);
    assert.match(result.stdout, /\[ \] create, patch, get, list, watch, delete statefulsets\.apps/);
  });
});
