/** Redaction at its edges: every spelling of a credential key in free text, other authorization schemes, and env entries in objects. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Redactor } from '../../src/doctor/redact.ts';
import { REDACTED, redactSecret, redactSecretPair, SENSITIVE_KEY } from '../../src/plan/redact.ts';

const text = (input: string) => new Redactor([]).text('f', input);

describe('free text', () => {
  test('each spelling of a credential key loses its value', () => {
    for (const key of [
      'pass',
      'api_key',
      'api-key',
      'apikey',
      'accessKey',
      'access_key',
      'privatekey',
      'private-key',
      'password_value',
    ]) {
      assert.equal(text(`${key}=s3cr3tv4lue`), `${key}=***`, key);
    }
  });

  test('any authorization scheme, however spaced, loses its credentials', () => {
    assert.equal(text('Authorization: Basic   dXNlcjpwYXNzd29yZA=='), 'Authorization: Basic   ***');
    assert.equal(text('Authorization: Basic dXNlcjpwYXNzd29yZA=='), 'Authorization: Basic ***');
  });

  test('a password that is already masked is not counted again', () => {
    const redactor = new Redactor([]);
    assert.equal(redactor.text('f', 'postgres://app:***@db:5432/app'), 'postgres://app:***@db:5432/app');
    assert.deepEqual(redactor.report(), []);
  });
});

describe('env entries in objects', () => {
  test('a credential-named entry keeps its name and loses its value, counted as a sensitive key', () => {
    const redactor = new Redactor([]);
    const env = [
      { name: 'API_TOKEN', value: 'tok-9f8e7d6c5b4a' },
      { name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } },
      { name: 'LOG_LEVEL', value: 'debug' },
    ];
    assert.deepEqual(redactor.object('pod.yaml', { env }), {
      env: [
        { name: 'API_TOKEN', value: REDACTED },
        { name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } },
        { name: 'LOG_LEVEL', value: 'debug' },
      ],
    });
    assert.deepEqual(redactor.report(), [{ file: 'pod.yaml', kind: 'sensitive-key', count: 1 }]);
  });

  test('a credential-named value outside an env entry is counted as a sensitive key too', () => {
    const redactor = new Redactor([]);
    assert.deepEqual(redactor.object('values.yaml', { apiToken: 'tok-9f8e7d6c5b4a' }), {
      apiToken: REDACTED,
    });
    assert.deepEqual(redactor.report(), [{ file: 'values.yaml', kind: 'sensitive-key', count: 1 }]);
  });
});

describe('credential-named keys in values', () => {
  test('plural API and access keys count', () => {
    for (const key of ['api_keys', 'access_keys', 'apikeys']) assert.ok(SENSITIVE_KEY.test(key), key);
  });
});

describe('Secrets in diffs', () => {
  test('keys come out sorted, whatever order the Secret has them in', () => {
    const b64 = (text: string) => Buffer.from(text).toString('base64');
    const redacted = redactSecret({
      kind: 'Secret',
      data: { zeta: b64('one-value'), alpha: b64('two-value') },
    });
    assert.deepEqual(Object.keys(redacted.data as Record<string, string>), ['alpha', 'zeta']);
  });

  test('a pair with neither side present is left as it is', () => {
    assert.deepEqual(redactSecretPair(undefined, undefined), [undefined, undefined]);
  });
});
