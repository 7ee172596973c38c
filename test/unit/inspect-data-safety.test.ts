import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatDataSafety } from '../../src/cli/data-safety.ts';
import { changedSpecKeys, dataSafety } from '../../src/inspect/data-safety.ts';
import { compareObjects, type PlannedChange } from '../../src/plan/plan.ts';

type Json = Record<string, unknown>;

/** A planned change as the plan module computes it (its own diff and redaction). */
function change(before: Json | undefined, after: Json | undefined, note?: string): PlannedChange {
  const object = (after ?? before)!;
  const metadata = object.metadata as { name: string };
  const { action, diff } = compareObjects({ before, after }, { before: 'live', after: 'planned' }, []);
  return {
    action,
    object: `${object.kind}/${metadata.name}`,
    ref: { apiVersion: String(object.apiVersion), kind: String(object.kind), name: metadata.name },
    diff,
    component: 'db',
    ...(note ? { note } : {}),
  };
}

const b64 = (text: string) => Buffer.from(text).toString('base64');

function statefulSet(storage: string, serviceName = 'db'): Json {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'lf-db' },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: 'db' } },
      serviceName,
      template: {
        metadata: { labels: { app: 'db' } },
        spec: { containers: [{ name: 'pg', image: 'pg:16' }] },
      },
      volumeClaimTemplates: [
        {
          metadata: { name: 'data' },
          spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage } } },
        },
      ],
    },
  };
}

function claim(storageClassName: string): Json {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name: 'lf-files' },
    spec: { accessModes: ['ReadWriteOnce'], storageClassName, resources: { requests: { storage: '5Gi' } } },
  };
}

function secret(data: Record<string, string>, labels: Record<string, string> = {}): Json {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'lf-db-auth', labels },
    data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, b64(v)])),
  };
}

describe('data safety of a plan', () => {
  test('a renamed claim template means re-creating the StatefulSet, named with its field', () => {
    const renamed = statefulSet('8Gi');
    const templates = (renamed.spec as Json).volumeClaimTemplates as Json[];
    templates[0] = { ...templates[0], metadata: { name: 'files' } };
    const planned = change(statefulSet('8Gi'), renamed);
    assert.deepEqual(changedSpecKeys(planned.diff), ['volumeClaimTemplates'], planned.diff);
    const { findings, safe } = dataSafety({ changes: [planned], notes: [] });
    assert.equal(safe, false);
    assert.deepEqual(
      findings.map((f) => [f.risk, f.object, f.fields.join(',')]),
      [['recreate', 'StatefulSet/lf-db', 'spec.volumeClaimTemplates']],
    );
    assert.match(findings[0]!.reason, /existing claims keep their size/);
  });

  test('a change whose field lies beyond the diff context is not guessed; the refusal still reports it', () => {
    const quiet = change(statefulSet('8Gi'), statefulSet('20Gi'));
    assert.deepEqual(changedSpecKeys(quiet.diff), [], quiet.diff);
    const refused = change(
      statefulSet('8Gi'),
      statefulSet('20Gi'),
      'server-side dry run failed, compared without server defaults: API server says: StatefulSet.apps "lf-db" is invalid: spec: Forbidden: updates to statefulset spec for fields other than \'replicas\' are forbidden',
    );
    const [finding] = dataSafety({ changes: [refused], notes: [] }).findings;
    assert.equal(finding?.risk, 'recreate');
    assert.deepEqual(finding?.fields, []);
    assert.match(finding!.reason, /refuses to update it in place: .*updates to statefulset spec/);
  });

  test("the API server's refusal in a failed dry run names the fields, even beyond the diff's context", () => {
    const planned = change(
      statefulSet('8Gi', 'db'),
      statefulSet('8Gi', 'database'),
      "server-side dry run failed, compared without server defaults: apply StatefulSet/lf-db in shop: API server says: StatefulSet.apps \"lf-db\" is invalid: spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden (reason: Invalid)",
    );
    const [finding] = dataSafety({ changes: [planned], notes: [] }).findings;
    assert.equal(finding?.risk, 'recreate');
    assert.deepEqual(finding?.fields, ['spec.serviceName']);
    const deployment = change(
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'lf-web' }, spec: { replicas: 1 } },
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'lf-web' }, spec: { replicas: 2 } },
      'server-side dry run failed, compared without server defaults: API server says: Deployment.apps "lf-web" is invalid: spec.selector: Invalid value: v1.LabelSelector{}: field is immutable',
    );
    const [refused] = dataSafety({ changes: [deployment], notes: [] }).findings;
    assert.deepEqual(refused?.fields, ['spec.selector']);
    assert.match(refused!.reason, /refuses to update it in place/);
  });

  test('a claim with another storage class cannot change in place', () => {
    const { findings } = dataSafety({ changes: [change(claim('standard'), claim('fast'))], notes: [] });
    assert.deepEqual(
      findings.map((f) => [f.risk, f.fields.join(',')]),
      [['recreate', 'spec.storageClassName']],
    );
    assert.match(findings[0]!.reason, /empty volume/);
  });

  test('changed and removed Secret values are credentials findings; a new label is not', () => {
    const before = secret({ password: 'old-password-1', user: 'langfuse', extra: 'x-value-1' });
    const after = secret({ password: 'new-password-2', user: 'langfuse' }, { team: 'a' });
    const planned = change(before, after);
    assert.ok(!planned.diff.includes('new-password-2'));
    const { findings } = dataSafety({ changes: [planned], notes: [] });
    assert.deepEqual(
      findings.map((f) => [f.risk, f.fields.join(',')]),
      [['credentials', 'extra,password']],
    );
    const relabelled = change(before, { ...before, metadata: { name: 'lf-db-auth', labels: { team: 'a' } } });
    assert.equal(relabelled.action, 'change');
    assert.deepEqual(dataSafety({ changes: [relabelled], notes: [] }), { findings: [], safe: true });
  });

  test('pruned claims and Secrets are deleted, kept ones listed from the notes, other prunes ignored', () => {
    const { findings, safe } = dataSafety({
      changes: [
        change(claim('standard'), undefined),
        change(secret({ token: 'abcdefgh' }), undefined),
        change({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'lf-config' } }, undefined),
      ],
      notes: [
        'PersistentVolumeClaim/lf-redis stays: data volume (berth uninstall --delete-data removes it)',
        'Deployment/x exists and does not belong to release lf: the upgrade needs --adopt',
      ],
    });
    assert.equal(safe, false);
    assert.deepEqual(
      findings.map((f) => `${f.risk} ${f.object}`),
      [
        'deleted PersistentVolumeClaim/lf-files',
        'deleted Secret/lf-db-auth',
        'kept PersistentVolumeClaim/lf-redis',
      ],
    );
  });

  test('a replaced Job is reported; a replicas change and kept data alone are safe', () => {
    const job = (image: string): Json => ({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'lf-migrate' },
      spec: { template: { spec: { containers: [{ name: 'm', image }] } } },
    });
    const replaced = change(
      job('m:1'),
      job('m:2'),
      'Jobs are immutable: berth deletes this one and creates it anew',
    );
    const [finding] = dataSafety({ changes: [replaced], notes: [] }).findings;
    assert.equal(finding?.risk, 'replaced');
    const scaled = change(
      { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'lf-db' }, spec: { replicas: 1 } },
      { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'lf-db' }, spec: { replicas: 3 } },
    );
    const kept = dataSafety({
      changes: [scaled],
      notes: [
        'Secret/lf-db-auth stays: generated credentials of kept data (berth uninstall --delete-data removes it)',
      ],
    });
    assert.equal(kept.safe, true);
    assert.deepEqual(
      kept.findings.map((f) => f.risk),
      ['kept'],
    );
  });
});

describe('the data-safety section of berth plan', () => {
  test('says it is safe when only kept data is listed, and warns with one line per finding otherwise', () => {
    assert.equal(
      formatDataSafety({ safe: true, findings: [] }),
      'Data safety: no claim or Secret deleted, no value re-keyed, nothing to re-create\n',
    );
    const text = formatDataSafety(
      dataSafety({ changes: [change(claim('standard'), claim('fast'))], notes: [] }),
    );
    assert.equal(
      text,
      'Data safety: CHECK BEFORE UPGRADING\n' +
        '  recreate    PersistentVolumeClaim/lf-files (db) [spec.storageClassName]: a claim cannot change this in place; a new claim starts with an empty volume (berth backup first)\n',
    );
  });
});
