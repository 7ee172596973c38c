/** Credentials a user supplies (env values, passwords in URLs) never reach a plan, a drift or a record. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compareObjects } from '../../src/plan/plan.ts';
import {
  mapCredentials,
  REDACTED,
  REDACTED_CHANGED,
  redactCredentials,
  redactCredentialsPair,
  redactUrlPasswords,
} from '../../src/plan/redact.ts';
import { sealManifests, secretDigests, unsealManifests } from '../../src/release/redact.ts';

const apiKey = 'sk-live-9f8e7d6c5b4a39281706';

function deployment(env: { name: string; value: string }[], extra: Record<string, unknown> = {}) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'shop' },
    spec: { template: { spec: { containers: [{ name: 'web', image: 'web:1', env, ...extra }] } } },
  };
}

describe('credentials in documents', () => {
  test('env values under credential names go whole; other env values stay', () => {
    const out = redactCredentials(
      deployment([
        { name: 'OPENAI_API_KEY', value: apiKey },
        { name: 'DB_PASSWORD', value: 'hunter2-long' },
        { name: 'SESSION_SECRET', value: 'abcdef' },
        { name: 'LOG_LEVEL', value: 'debug' },
        { name: 'FEATURE_TOKEN_LIMIT', value: '$(LIMIT)' },
      ]),
    );
    assert.deepEqual(out.spec.template.spec.containers[0]!.env, [
      { name: 'OPENAI_API_KEY', value: REDACTED },
      { name: 'DB_PASSWORD', value: REDACTED },
      { name: 'SESSION_SECRET', value: REDACTED },
      { name: 'LOG_LEVEL', value: 'debug' },
      { name: 'FEATURE_TOKEN_LIMIT', value: '$(LIMIT)' },
    ]);
  });

  test('only the password of a URL goes, wherever the URL is', () => {
    const out = redactCredentials({
      url: 'postgresql://app:Pa55-w0rd@db:5432/app?sslmode=require',
      config: 'a = "redis://:r3dis-pw@cache:6379/0"\nb = "https://example.com/a@b"',
      list: ['amqp://guest:guest-pw@mq/', 'http://user:$(PASSWORD)@host/'],
    });
    assert.deepEqual(out, {
      url: `postgresql://app:${REDACTED}@db:5432/app?sslmode=require`,
      config: `a = "redis://:${REDACTED}@cache:6379/0"\nb = "https://example.com/a@b"`,
      list: [`amqp://guest:${REDACTED}@mq/`, 'http://user:$(PASSWORD)@host/'],
    });
  });

  test('values under credential-named keys go; keys that name a secret stay', () => {
    const out = redactCredentials({
      integrations: {
        postgresql: { password: 'x1y2z3', existingSecret: 'pg-creds', secretKeys: { password: 'pw' } },
      },
      smtp: { apiKey: 'k-123456', enabled: true, tokenSecretName: 'tok' },
      valueFrom: { secretKeyRef: { name: 'app', key: 'api-key' } },
    });
    assert.deepEqual(out, {
      integrations: {
        postgresql: { password: REDACTED, existingSecret: 'pg-creds', secretKeys: { password: 'pw' } },
      },
      smtp: { apiKey: REDACTED, enabled: true, tokenSecretName: 'tok' },
      valueFrom: { secretKeyRef: { name: 'app', key: 'api-key' } },
    });
  });

  test('credentials are found by path, array items by their name', () => {
    const found: string[] = [];
    mapCredentials(
      deployment([{ name: 'X_TOKEN', value: 'abcdefgh' }], { args: ['s3://k:v-secret@b'] }),
      (c) => {
        found.push(`${c.path.join('.')}#${c.occurrence}=${c.value}`);
        return REDACTED;
      },
    );
    assert.deepEqual(found, [
      'spec.template.spec.containers.web.env.X_TOKEN.value#-1=abcdefgh',
      'spec.template.spec.containers.web.args.0#0=v-secret',
    ]);
  });

  test('a pair marks a changed credential, and only that one', () => {
    const before = deployment([
      { name: 'OPENAI_API_KEY', value: apiKey },
      { name: 'DSN', value: 'mysql://u:old-pass@db/x' },
      { name: 'ADMIN_PASSWORD', value: 'same-same' },
    ]);
    const after = deployment([
      { name: 'NEW_TOKEN', value: 'brand-new-token' },
      { name: 'OPENAI_API_KEY', value: 'sk-live-rotated' },
      { name: 'DSN', value: 'mysql://u:new-pass@db/x' },
      { name: 'ADMIN_PASSWORD', value: 'same-same' },
    ]);
    const [b, a] = redactCredentialsPair(before, after);
    assert.deepEqual(b.spec.template.spec.containers[0]!.env, [
      { name: 'OPENAI_API_KEY', value: REDACTED },
      { name: 'DSN', value: `mysql://u:${REDACTED}@db/x` },
      { name: 'ADMIN_PASSWORD', value: REDACTED },
    ]);
    assert.deepEqual(a.spec.template.spec.containers[0]!.env, [
      { name: 'NEW_TOKEN', value: REDACTED },
      { name: 'OPENAI_API_KEY', value: REDACTED_CHANGED },
      { name: 'DSN', value: `mysql://u:${REDACTED_CHANGED}@db/x` },
      { name: 'ADMIN_PASSWORD', value: REDACTED },
    ]);
  });

  test('free text loses URL passwords', () => {
    assert.equal(
      redactUrlPasswords('dial postgresql://app:Pa55@db:5432 failed; see http://$(U):$(P)@x'),
      `dial postgresql://app:${REDACTED}@db:5432 failed; see http://$(U):$(P)@x`,
    );
  });
});

describe('plan and drift diffs', () => {
  const labels = { before: 'live', after: 'planned' };

  test('a changed API key is a change, shown redacted', () => {
    const { action, diff } = compareObjects(
      {
        before: deployment([{ name: 'OPENAI_API_KEY', value: apiKey }]),
        after: deployment([{ name: 'OPENAI_API_KEY', value: 'sk-live-rotated' }]),
      },
      labels,
      [],
    );
    assert.equal(action, 'change');
    assert.ok(diff.includes(REDACTED_CHANGED), diff);
    assert.ok(!diff.includes(apiKey) && !diff.includes('sk-live-rotated'), diff);
  });

  test('a new object with credentials shows them redacted', () => {
    const { action, diff } = compareObjects(
      { before: undefined, after: deployment([{ name: 'DATABASE_URL', value: 'postgres://a:b1c2d3@h/d' }]) },
      labels,
      [],
    );
    assert.equal(action, 'create');
    assert.ok(diff.includes(`postgres://a:${REDACTED}@h/d`), diff);
    assert.ok(!diff.includes('b1c2d3'));
  });

  test('an unchanged credential is no change', () => {
    const object = deployment([{ name: 'OPENAI_API_KEY', value: apiKey }]);
    assert.deepEqual(compareObjects({ before: object, after: structuredClone(object) }, labels, []), {
      action: 'unchanged',
      diff: '',
    });
  });
});

describe('records', () => {
  test('sealing takes every credential out of the manifests and unsealing puts it back', () => {
    const object = deployment(
      [
        { name: 'OPENAI_API_KEY', value: apiKey },
        { name: 'DSN', value: 'mysql://u:p4ss-word@db/x' },
        { name: 'MODE', value: 'prod' },
      ],
      { args: ['--upstream', 'https://a:b-secret@up'] },
    );
    const manifests = [
      { stage: 'config' as const, object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } } },
      { stage: 'frontends' as const, component: 'web', object },
    ];
    const { manifests: sealed, sealed: credentials } = sealManifests(manifests);
    const text = JSON.stringify(sealed);
    for (const secret of [apiKey, 'p4ss-word', 'b-secret']) assert.ok(!text.includes(secret), secret);
    assert.deepEqual(
      credentials.map((c) => [c.manifest, c.value]),
      [
        [1, apiKey],
        [1, 'mysql://u:p4ss-word@db/x'],
        [1, 'https://a:b-secret@up'],
      ],
    );
    assert.deepEqual(unsealManifests(sealed, credentials), manifests);
    assert.deepEqual(sealed[0], manifests[0], 'objects without credentials are kept as they are');
  });

  test('Secret digests differ per value, per key and per Secret, and never contain the value', () => {
    const secret = (name: string, data: Record<string, string>) => ({
      kind: 'Secret',
      metadata: { name },
      stringData: data,
    });
    const a = secretDigests(secret('app', { password: 'hunter22', token: 'hunter22' }));
    assert.deepEqual(Object.keys(a), ['password', 'token']);
    assert.match(a.password!, /^[0-9a-f]{64}$/);
    assert.notEqual(a.password, a.token, 'salted with the key');
    assert.notEqual(secretDigests(secret('other', { password: 'hunter22' })).password, a.password);
    assert.notEqual(secretDigests(secret('app', { password: 'hunter23' })).password, a.password);
    assert.equal(
      secretDigests({
        kind: 'Secret',
        metadata: { name: 'app' },
        data: { password: Buffer.from('hunter22').toString('base64') },
      }).password,
      a.password,
      'data and stringData digest alike',
    );
  });
});
