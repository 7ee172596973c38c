/** plan's pure parts: noise removal, Secret redaction in diffs, the summary, the JSON document. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { colorizeDiff, unifiedDiff, useColor } from '../../src/plan/diff.ts';
import { formatPlan } from '../../src/plan/format.ts';
import { normalizeObject, projectOnto } from '../../src/plan/normalize.ts';
import { compareObjects, hasChanges, type Plan, planDocument, summarize } from '../../src/plan/plan.ts';
import {
  REDACTED,
  REDACTED_CHANGED,
  redactSecretPair,
  scrubKnownValues,
  scrubPatterns,
  sensitiveSecretValues,
} from '../../src/plan/redact.ts';

const b64 = (text: string) => Buffer.from(text).toString('base64');

function deployment(replicas: number, extra: Record<string, unknown> = {}) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: 'lf-web',
      namespace: 'ns',
      uid: 'u-1',
      resourceVersion: String(100 + replicas),
      generation: replicas,
      creationTimestamp: '2025-01-01T00:00:00Z',
      managedFields: [{ manager: 'berth' }],
      annotations: {
        'kubectl.kubernetes.io/last-applied-configuration': '{"secret":"x"}',
        'deployment.kubernetes.io/revision': '1',
      },
      ...extra,
    },
    spec: { replicas, template: { spec: { containers: [{ name: 'web', image: 'langfuse:1' }] } } },
    status: { readyReplicas: replicas, observedGeneration: replicas },
  };
}

function secret(data: Record<string, string>, generated = 'password') {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'lf-app', annotations: { 'berth.dev/generated-keys': generated } },
    type: 'Opaque',
    data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, b64(v)])),
  };
}

const labels = { before: 'live Deployment/lf-web', after: 'planned Deployment/lf-web' };

describe('normalisation', () => {
  test('drops managed fields, versions, uid, timestamps, status and the last-applied annotation', () => {
    const normal = normalizeObject(deployment(1));
    assert.deepEqual(normal, {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: {
        annotations: { 'deployment.kubernetes.io/revision': '1' },
        name: 'lf-web',
        namespace: 'ns',
      },
      spec: { replicas: 1, template: { spec: { containers: [{ image: 'langfuse:1', name: 'web' }] } } },
    });
  });

  test('sorts keys so the same object in another key order has no diff, and never mutates', () => {
    const a = deployment(1);
    const b = { spec: a.spec, metadata: a.metadata, kind: a.kind, apiVersion: a.apiVersion };
    assert.equal(unifiedDiff(normalizeObject(a), normalizeObject(b), labels), '');
    assert.ok(a.metadata.managedFields, 'input untouched');
  });

  test('an emptied annotations map goes away', () => {
    const object = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: 'c',
        annotations: {
          'kubectl.kubernetes.io/last-applied-configuration': '{}',
        },
      },
    };
    assert.deepEqual(normalizeObject(object).metadata, { name: 'c' });
  });

  test('projectOnto keeps only the fields the desired object has', () => {
    const live = { spec: { replicas: 2, progressDeadlineSeconds: 600, list: [{ a: 1, b: 2 }] } };
    assert.deepEqual(projectOnto(live, { spec: { replicas: 1, list: [{ a: 0 }] } }), {
      spec: { replicas: 2, list: [{ a: 1 }] },
    });
  });
});

describe('diffs', () => {
  test('a replicas change is exactly one removed and one added line', () => {
    const { action, diff } = compareObjects({ before: deployment(1), after: deployment(3) }, labels, []);
    assert.equal(action, 'change');
    const changed = diff.split('\n').filter((l) => /^[-+][^-+]/.test(l));
    assert.deepEqual(changed, ['-  replicas: 1', '+  replicas: 3']);
    assert.match(diff, /^--- live Deployment\/lf-web\n\+\+\+ planned Deployment\/lf-web\n@@/);
  });

  test('create, prune and unchanged', () => {
    assert.equal(compareObjects({ before: undefined, after: deployment(1) }, labels, []).action, 'create');
    assert.equal(compareObjects({ before: deployment(1), after: undefined }, labels, []).action, 'prune');
    const same = compareObjects({ before: deployment(1), after: deployment(1) }, labels, []);
    assert.deepEqual(same, { action: 'unchanged', diff: '' });
  });

  test('colours only additions, removals, hunks and headers', () => {
    const diff = unifiedDiff({ a: 1 }, { a: 2 }, labels);
    const coloured = colorizeDiff(diff);
    assert.ok(coloured.includes('\x1b[31m-a: 1\x1b[0m'));
    assert.ok(coloured.includes('\x1b[32m+a: 2\x1b[0m'));
    assert.equal(useColor({ isTTY: true }, {}), true);
    assert.equal(useColor({ isTTY: true }, { NO_COLOR: '1' }), false);
    assert.equal(useColor({ isTTY: false }, {}), false);
  });
});

describe('Secret redaction', () => {
  const secretLabels = { before: 'live Secret/lf-app', after: 'planned Secret/lf-app' };

  test('unchanged values show no change and no value', () => {
    const result = compareObjects(
      {
        before: secret({ password: 'hunter2-very-secret' }),
        after: secret({ password: 'hunter2-very-secret' }),
      },
      secretLabels,
      [],
    );
    assert.equal(result.action, 'unchanged');
  });

  test('stringData on the planned side compares with data on the live side', () => {
    const planned = { ...secret({}), data: undefined, stringData: { password: 'hunter2-very-secret' } };
    const result = compareObjects(
      { before: secret({ password: 'hunter2-very-secret' }), after: planned },
      secretLabels,
      [],
    );
    assert.equal(result.action, 'unchanged');
  });

  test('a changed, an added and a removed key show as markers, never as values', () => {
    const before = secret({ password: 'old-password-1', gone: 'removed-value-1' });
    const after = secret({ password: 'new-password-2', added: 'added-value-3' });
    const { action, diff } = compareObjects({ before, after }, secretLabels, []);
    assert.equal(action, 'change');
    assert.match(diff, new RegExp(`^-  password: ${REDACTED}$`, 'm'));
    assert.match(diff, new RegExp(`^\\+  password: ${REDACTED_CHANGED}$`, 'm'));
    assert.match(diff, new RegExp(`^\\+  added: ${REDACTED}$`, 'm'));
    assert.match(diff, new RegExp(`^-  gone: ${REDACTED}$`, 'm'));
    for (const value of ['old-password-1', 'new-password-2', 'added-value-3', 'removed-value-1']) {
      assert.ok(!diff.includes(value) && !diff.includes(b64(value)), `${value} never shows`);
    }
  });

  test('redactSecretPair leaves other kinds alone and drops stringData', () => {
    const cm = { kind: 'ConfigMap', data: { a: 'b' } };
    assert.deepEqual(redactSecretPair(cm, cm), [cm, cm]);
    const [, after] = redactSecretPair(undefined, { kind: 'Secret', stringData: { k: 'v' } });
    assert.deepEqual(after, { kind: 'Secret', data: { k: REDACTED } });
  });

  test('known values are scrubbed from anywhere in a diff, also base64-encoded', () => {
    const value = 'Zx81hFq2mMsecretvalue';
    const before = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { url: 'a' } };
    const after = { ...before, data: { url: `redis://:${value}@host`, enc: b64(value) } };
    const { diff } = compareObjects({ before, after }, labels, scrubPatterns([value]));
    assert.ok(!diff.includes(value) && !diff.includes(b64(value)));
    assert.match(diff, /redis:\/\/:<redacted>@host/);
  });

  test('only generated and credential-named keys count as values to scrub', () => {
    const values = sensitiveSecretValues(
      secret({ username: 'langfuse', password: 'p4ssw0rd-long', 'api-token': 'tok-123456' }, 'password'),
    );
    assert.deepEqual(values.sort(), ['p4ssw0rd-long', 'tok-123456']);
    assert.deepEqual(scrubKnownValues('a p4ssw0rd-long b', scrubPatterns(values)), {
      text: `a ${REDACTED} b`,
      count: 1,
    });
    assert.deepEqual(scrubPatterns(['short']), [], 'too short to scrub literally');
  });
});

describe('summary and JSON', () => {
  const plan: Plan = {
    kind: 'Plan',
    release: 'lf',
    namespace: 'ns',
    revision: 1,
    summary: summarize([
      { action: 'change' },
      { action: 'unchanged' },
      { action: 'unchanged' },
      { action: 'prune' },
    ]),
    changes: [
      {
        action: 'change',
        object: 'Deployment/lf-web',
        ref: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'lf-web', namespace: 'ns' },
        component: 'web',
        diff: '--- a\n+++ b\n@@ -1 +1 @@\n-replicas: 1\n+replicas: 3\n',
      },
      {
        action: 'unchanged',
        object: 'Service/lf-web',
        ref: { apiVersion: 'v1', kind: 'Service', name: 'lf-web', namespace: 'ns' },
        diff: '',
      },
      {
        action: 'prune',
        object: 'Service/lf-redis',
        ref: { apiVersion: 'v1', kind: 'Service', name: 'lf-redis', namespace: 'ns' },
        diff: '--- a\n+++ b\n@@ -1 +0,0 @@\n-kind: Service\n',
      },
    ],
    notes: ['Secret/lf-redis stays: generated credentials of kept data'],
  };

  test('counts each action', () => {
    assert.deepEqual(plan.summary, { create: 0, change: 1, prune: 1, unchanged: 2 });
    assert.equal(hasChanges(plan), true);
    assert.equal(hasChanges({ summary: summarize([{ action: 'unchanged' }]) }), false);
  });

  test('the JSON document is versioned and lists only changes', () => {
    const doc = JSON.parse(JSON.stringify(planDocument(plan)));
    assert.equal(doc.apiVersion, 'berth.dev/v1');
    assert.equal(doc.kind, 'Plan');
    assert.deepEqual(doc.summary, { create: 0, change: 1, prune: 1, unchanged: 2 });
    assert.deepEqual(
      doc.changes.map((c: { action: string; object: string }) => `${c.action} ${c.object}`),
      ['change Deployment/lf-web', 'prune Service/lf-redis'],
    );
    assert.deepEqual(Object.keys(doc.changes[0]).sort(), [
      'action',
      'apiVersion',
      'component',
      'diff',
      'object',
    ]);
    assert.equal(planDocument({ ...plan, revision: undefined }).revision, null);
  });

  test('the text form has a summary line and one diff per change', () => {
    const text = formatPlan(plan, { color: false });
    assert.match(
      text,
      /^Plan for release lf in ns \(against revision 1\): 0 to create, 1 to change, 1 to prune, 2 unchanged\n/,
    );
    assert.match(text, /~ Deployment\/lf-web \(web\): change\n--- a/);
    assert.match(text, /- Service\/lf-redis: prune/);
    assert.ok(!text.includes('Service/lf-web:'), 'unchanged objects are not listed');
    assert.ok(!text.includes('\x1b['), 'no colour when asked for none');
  });
});
