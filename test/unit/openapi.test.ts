/**
 * Rendered objects are checked against the Kubernetes OpenAPI schema: built-in kinds from one
 * bundled module, the custom resources berth renders each from its own, any other kind from
 * node_modules — from src and, through bin/berth, from the bundle.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../../src/render/model.ts';
import { schemaViolations } from '../../src/render/openapi.ts';
import { runBerth } from '../support/cli.ts';

const meta = (name: string) => ({ name, namespace: 'ns' });

test('a built-in kind, a custom resource and a kind berth never renders are each checked', async () => {
  const objects = [
    { apiVersion: 'apps/v1', kind: 'Deployment', metadata: meta('web'), spec: { replicas: 'two' } },
    {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'PrometheusRule',
      metadata: meta('r'),
      spec: { groups: 'x' },
    },
    { apiVersion: 'v1', kind: 'Pod', metadata: meta('p'), spec: { containers: 'none' } },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta('ok'), data: { a: 'b' } },
  ] as unknown as KubeObject[];
  const violations = await schemaViolations(objects);
  assert.deepEqual(
    violations.map((v) => v.object),
    ['Deployment/web', 'PrometheusRule/r', 'Pod/p'],
  );
  assert.match(violations[0]!.message, /spec/);
});

test('undefined fields are no violation, as kubernetes-models drops them, wherever they sit', async () => {
  const objects = [
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { ...meta('c'), labels: { a: 'b', gone: undefined }, annotations: undefined },
      data: { key: 'v', unset: undefined },
    },
    {
      apiVersion: 'autoscaling.k8s.io/v1',
      kind: 'VerticalPodAutoscaler',
      metadata: meta('v'),
      spec: {
        targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
        updatePolicy: undefined,
      },
    },
  ] as unknown as KubeObject[];
  assert.deepEqual(await schemaViolations(objects), []);
});

test('a kind without a schema is named', async () => {
  const violations = await schemaViolations([
    { apiVersion: 'example.com/v1', kind: 'Widget', metadata: meta('w') } as unknown as KubeObject,
  ]);
  assert.deepEqual(violations, [
    { object: 'Widget/w', message: 'no OpenAPI schema known for example.com/v1 Widget' },
  ]);
});

test('berth render validates a PrometheusRule (its validator runs a WebAssembly regex engine)', async () => {
  const result = await runBerth([
    'render',
    'model-router',
    '--release',
    'r',
    '--set',
    'monitoring.prometheusRule.enabled=true',
  ]);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /^kind: PrometheusRule$/m);
});
