/** The support bundle's redaction: connection strings, env vars, tokens, known values, Secrets. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Redactor, redactionsMarkdown } from '../../src/doctor/redact.ts';

const known = 'Gq7TzX0pL2mN4bV6cR8s';

describe('text redaction', () => {
  test('passwords in connection strings, keeping scheme, user and host', () => {
    const r = new Redactor([]);
    assert.equal(
      r.text('f', 'DATABASE_URL=postgresql://langfuse:s3cr3t-pass@db.svc:5432/langfuse?ssl=true'),
      'DATABASE_URL=postgresql://langfuse:***@db.svc:5432/langfuse?ssl=true',
    );
    assert.equal(r.text('f', 'redis://:pa55word@redis:6379/0'), 'redis://:***@redis:6379/0');
    assert.equal(r.text('f', 'mongodb+srv://admin:x%40y@cluster0/db'), 'mongodb+srv://admin:***@cluster0/db');
    assert.deepEqual(r.report(), [{ file: 'f', kind: 'connection-string', count: 3 }]);
  });

  test('$(VAR) references and URLs without credentials stay as they are', () => {
    const r = new Redactor([]);
    const text = 'postgresql://$(DATABASE_USERNAME):$(DATABASE_PASSWORD)@db:5432/x https://example.com/a@b';
    assert.equal(r.text('f', text), text);
    assert.deepEqual(r.report(), []);
  });

  test('bearer tokens and Authorization headers', () => {
    const r = new Redactor([]);
    assert.equal(
      r.text('log', 'GET /api Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.e30.abc123def'),
      'GET /api Authorization: Bearer ***',
    );
    assert.equal(r.text('log', 'authorization=Basic dXNlcjpwYXNzd29yZA=='), 'authorization=Basic ***');
  });

  test('values of credential-named keys in logs and config files', () => {
    const r = new Redactor([]);
    assert.equal(r.text('log', 'login password=hunter22 user=bob'), 'login password=*** user=bob');
    assert.equal(
      r.text('log', '{"apiKey":"sk-live-123456","model":"gpt"}'),
      '{"apiKey":"***","model":"gpt"}',
    );
    assert.equal(r.text('cfg', 'SECRET_TOKEN: abcdef123\nport: 80'), 'SECRET_TOKEN: ***\nport: 80');
    assert.equal(r.text('cfg', 'requirepass: true'), 'requirepass: true', 'booleans are not secrets');
  });

  test('every known secret value, literally and base64-encoded, wherever it is', () => {
    const r = new Redactor([known, 'short']);
    const text = `started with ${known} and ${Buffer.from(known).toString('base64')}; short stays`;
    assert.equal(r.text('log', text), 'started with <redacted> and <redacted>; short stays');
    assert.deepEqual(r.report(), [{ file: 'log', kind: 'known-value', count: 2 }]);
  });
});

describe('object redaction', () => {
  test('a Secret keeps its key names only', () => {
    const r = new Redactor([]);
    const out = r.object('objects/Secret-x.yaml', {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'x' },
      data: { password: Buffer.from('p').toString('base64'), username: 'dXNlcg==' },
    });
    assert.deepEqual(out, {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'x' },
      dataKeys: ['password', 'username'],
    });
    assert.deepEqual(r.report(), [{ file: 'objects/Secret-x.yaml', kind: 'secret-data', count: 2 }]);
  });

  test('env vars named like credentials lose their values; references and names stay', () => {
    const r = new Redactor([known]);
    const pod = {
      kind: 'Pod',
      metadata: {
        name: 'p',
        managedFields: [{ manager: 'x' }],
        annotations: { 'kubectl.kubernetes.io/last-applied-configuration': `{"value":"${known}"}` },
      },
      spec: {
        containers: [
          {
            name: 'web',
            env: [
              { name: 'OPENAI_API_KEY', value: 'sk-abcdef' },
              { name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } },
              { name: 'LOG_LEVEL', value: 'debug' },
              { name: 'SALT', value: known },
              { name: 'REDIS_URL', value: 'redis://:abc123xyz@redis:6379' },
            ],
          },
        ],
        volumes: [{ name: 's', secret: { secretName: 'db' } }],
      },
    };
    const out = JSON.stringify(r.object('pods/p.yaml', pod));
    assert.ok(!out.includes('sk-abcdef') && !out.includes(known) && !out.includes('abc123xyz'), out);
    assert.ok(!out.includes('managedFields') && !out.includes('last-applied'));
    assert.match(out, /"secretKeyRef":\{"name":"db","key":"password"\}/);
    assert.match(out, /"secretName":"db"/);
    assert.match(out, /"LOG_LEVEL","value":"debug"/);
    assert.match(out, /redis:\/\/:\*\*\*@redis/);
  });

  test('config keys that hold credentials are redacted, key lists and references are not', () => {
    const r = new Redactor([]);
    const out = r.object('records/revision-1.yaml', {
      values: {
        integrations: { redis: { existingSecret: 'creds', secretKeys: { password: 'pw' } } },
        auth: { clientSecret: 'oidc-secret', apiKey: 'k-123456' },
      },
    });
    assert.deepEqual(out, {
      values: {
        integrations: { redis: { existingSecret: 'creds', secretKeys: { password: 'pw' } } },
        auth: { clientSecret: '<redacted>', apiKey: '<redacted>' },
      },
    });
  });

  test('REDACTIONS.md lists counts per file and kind, never values', () => {
    const r = new Redactor([known]);
    r.text('logs/a.log', `x ${known} password=abcdef`);
    const md = redactionsMarkdown(r.report());
    assert.match(md, /\| logs\/a.log \| known-value \| 1 \|/);
    assert.match(md, /\| logs\/a.log \| sensitive-key \| 1 \|/);
    assert.match(md, /Total: 2 redactions in 1 files/);
    assert.ok(!md.includes(known) && !md.includes('abcdef'));
    assert.match(redactionsMarkdown([]), /Nothing needed redacting/);
  });
});
