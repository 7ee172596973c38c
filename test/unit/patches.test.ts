/**
 * extraObjects and patches: applied after rendering and before the checks, so the OpenAPI schema,
 * the policy and the wiring verifier see the patched release.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { strategicMerge } from '../../src/render/patches.ts';
import type { RenderResult } from '../../src/render/render.ts';
import { find, podSpec, renderValues } from '../support/render.ts';

type Json = Record<string, any>;

const langfuse = (values: Json): Promise<RenderResult> => renderValues('langfuse', values, 'lf');

describe('strategic merge', () => {
  test('containers and env merge by name, volumes by name, ports by number; null deletes; $patch', () => {
    const base = {
      spec: {
        containers: [
          {
            name: 'a',
            env: [
              { name: 'X', value: '1' },
              { name: 'Y', value: '2' },
            ],
            ports: [{ containerPort: 80, name: 'http' }],
          },
          { name: 'b', image: 'b:1' },
        ],
        volumes: [{ name: 'v', emptyDir: {} }],
        tolerations: [{ key: 't' }],
        nodeSelector: { zone: 'a', disk: 'ssd' },
      },
    };
    const merged = strategicMerge(base, {
      spec: {
        containers: [
          {
            name: 'a',
            env: [
              { name: 'Y', value: '3' },
              { name: 'Z', value: '4' },
            ],
            ports: [{ containerPort: 80, protocol: 'TCP' }],
          },
          { name: 'b', $patch: 'delete' },
        ],
        volumes: [{ name: 'w', configMap: { name: 'c' } }],
        tolerations: [{ key: 'u' }],
        nodeSelector: { disk: null },
      },
    }) as Json;
    assert.deepEqual(merged.spec.containers, [
      {
        name: 'a',
        env: [
          { name: 'X', value: '1' },
          { name: 'Y', value: '3' },
          { name: 'Z', value: '4' },
        ],
        ports: [{ containerPort: 80, name: 'http', protocol: 'TCP' }],
      },
    ]);
    assert.deepEqual(
      merged.spec.volumes.map((v: Json) => v.name),
      ['v', 'w'],
    );
    assert.deepEqual(merged.spec.tolerations, [{ key: 'u' }]);
    assert.deepEqual(merged.spec.nodeSelector, { zone: 'a' });
    assert.deepEqual(
      (strategicMerge(base, { spec: { nodeSelector: { $patch: 'replace', pool: 'x' } } }) as Json).spec
        .nodeSelector,
      { pool: 'x' },
    );
  });
});

describe('extraObjects and patches in a render', () => {
  test('a strategic-merge patch changes the rendered Deployment; a JSON patch too', async () => {
    const result = await langfuse({
      patches: [
        {
          target: { kind: 'Deployment', name: 'lf-web' },
          patch: {
            spec: {
              template: {
                spec: {
                  containers: [{ name: 'web', env: [{ name: 'LANGFUSE_LOG_LEVEL', value: 'debug' }] }],
                },
              },
            },
          },
        },
        {
          target: { kind: 'Deployment', name: 'lf-worker' },
          patch: [{ op: 'add', path: '/spec/template/spec/priorityClassName', value: 'high' }],
        },
      ],
    });
    const web = podSpec(find(result, 'Deployment', 'lf-web')).containers[0];
    assert.equal(web.env.find((e: Json) => e.name === 'LANGFUSE_LOG_LEVEL').value, 'debug');
    assert.ok(
      web.env.some((e: Json) => e.name === 'DATABASE_URL'),
      'the rest of the env stays',
    );
    assert.equal(podSpec(find(result, 'Deployment', 'lf-worker')).priorityClassName, 'high');
  });

  test('an extra object joins the release with its labels and namespace, and pods may mount it', async () => {
    const result = await langfuse({
      extraObjects: [
        { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'corp-ca' }, data: { 'ca.pem': 'x' } },
      ],
      services: { web: { extraVolumes: [{ name: 'ca', configMap: { name: 'corp-ca' } }] } },
    });
    const extra = result.manifests.find((m) => m.object.metadata.name === 'corp-ca')!;
    assert.equal(extra.stage, 'config');
    assert.equal(extra.object.metadata.namespace, 'lf');
    assert.equal(extra.object.metadata.labels?.['app.kubernetes.io/managed-by'], 'berth');
  });

  test('a workload from extraObjects is part of the graph: a Service may select it, and a wrong port is refused', async () => {
    const proxy = (targetPort: string): Json[] => [
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'auth-proxy' },
        spec: {
          selector: { matchLabels: { app: 'auth-proxy' } },
          template: {
            metadata: { labels: { app: 'auth-proxy' } },
            spec: {
              containers: [
                {
                  name: 'proxy',
                  image: 'docker.io/library/nginx:1.27.3',
                  ports: [{ containerPort: 8080, name: 'http' }],
                },
              ],
            },
          },
        },
      },
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'auth-proxy' },
        spec: { selector: { app: 'auth-proxy' }, ports: [{ port: 80, targetPort }] },
      },
    ];
    const result = await langfuse({ extraObjects: proxy('http') });
    assert.ok(
      result.manifests.some((m) => m.object.kind === 'Service' && m.object.metadata.name === 'auth-proxy'),
    );
    await assert.rejects(
      langfuse({ extraObjects: proxy('https') }),
      /wiring: Service\/auth-proxy: port 80 targets "https", which no selected container declares \[service-port\]/,
    );
  });

  test('a patch that breaks the schema is refused by the OpenAPI validation', async () => {
    await assert.rejects(
      langfuse({
        patches: [{ target: { kind: 'Deployment', name: 'lf-web' }, patch: { spec: { replicas: 'three' } } }],
      }),
      /replicas/,
    );
  });

  test('a patch that miswires is refused by the wiring verifier', async () => {
    // Renaming the port the Service and the probes target leaves both pointing at nothing.
    await assert.rejects(
      langfuse({
        patches: [
          {
            target: { kind: 'Deployment', name: 'lf-web' },
            patch: {
              spec: {
                template: {
                  spec: { containers: [{ name: 'web', ports: [{ containerPort: 3000, name: 'web' }] }] },
                },
              },
            },
          },
        ],
      }),
      /wiring: .*\[(service-port|probe-port)\]/,
    );
  });

  test('a patch that weakens the policy is a warning naming the object', async () => {
    const result = await langfuse({
      patches: [
        {
          target: { kind: 'Deployment', name: 'lf-worker' },
          patch: {
            spec: {
              template: { spec: { containers: [{ name: 'worker', securityContext: { privileged: true } }] } },
            },
          },
        },
      ],
    });
    assert.ok(
      result.warnings.some((w) => w.startsWith('Deployment/lf-worker:') && w.includes('worker: privileged')),
      result.warnings.join('\n'),
    );
  });

  test('a patch whose target is not rendered is a values error naming it', async () => {
    await assert.rejects(
      langfuse({ patches: [{ target: { kind: 'Deployment', name: 'lf-nope' }, patch: {} }] }),
      /values patches\[0\]\.target: no Deployment\/lf-nope/,
    );
  });
});
