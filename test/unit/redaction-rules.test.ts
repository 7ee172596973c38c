/** The rules under every redaction: which keys, values and Secrets count as credentials, and how they are scrubbed and counted. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Redactor, redactionsMarkdown } from '../../src/doctor/redact.ts';
import {
  HARMLESS,
  mapCredentials,
  NAMES_A_SECRET,
  REDACTED,
  redactSecret,
  redactSecretPair,
  SENSITIVE_KEY,
  scrubKnownValues,
  scrubPatterns,
  sensitiveSecretValues,
} from '../../src/plan/redact.ts';
import { GENERATED_KEYS_ANNOTATION } from '../../src/render/annotations.ts';

const b64 = (text: string) => Buffer.from(text).toString('base64');

describe('what counts as a credential', () => {
  /** `yes` and `no`: `|`-separated samples the pattern must and must not match. */
  function classifies(pattern: RegExp, yes: string, no: string) {
    for (const sample of yes.split('|'))
      assert.ok(pattern.test(sample), `${pattern} should match "${sample}"`);
    for (const sample of no.split('|'))
      assert.ok(!pattern.test(sample), `${pattern} should not match "${sample}"`);
  }

  test('credential-named keys', () => {
    classifies(
      SENSITIVE_KEY,
      'password|PASSWD|passphrase|pass|clientSecret|TOKEN|credentials|privateKey|api-key|api_key|apikey|accessKey|access-key|ACCESS_KEY|ENCRYPTION_KEY|salt|tls.key|signing_key|key',
      'keyboard|monkey|username|host|keys|replicas',
    );
  });

  test('keys that name a secret without holding one', () => {
    classifies(
      NAMES_A_SECRET,
      'secretKeyRef|secretName|secretNames|secretKeys|secretKey|existingSecret|key|passwordFile|tokenPath|secretSelector|jwtSecret',
      'password|mySecretKey|existingSecretValue|anExistingSecret|secretKeyValue|keyValue|apiKey|RefCount|NameX|FileX|jwtSecretValue|JWT_SECRET|myexistingSecret|appsecretKey|supersetjwtSecret',
    );
  });

  test('harmless values', () => {
    classifies(
      HARMLESS,
      '|true|FALSE|null|~|yes|no|*|***|<redacted>|<redacted, changed>|$(DB_PASSWORD)|${TOKEN}',
      'truex|x***|*x|<redacted|redacted>|$(A B)|${A-B}|$DB|hunter2|a<redacted>',
    );
  });

  test('credentials in arrays of plain strings and several URLs in one string', () => {
    const found: string[] = [];
    const out = mapCredentials(
      {
        args: ['x', 'a://u:p1-secret@h b://v:p2-secret@h'],
        env: [{ name: 'MODE', value: 'u:p@x' }, { value: 'no-name' }],
      },
      (c) => {
        found.push(`${c.path.join('.')}#${c.occurrence}=${c.value}`);
        return `[${c.occurrence}]`;
      },
    );
    assert.deepEqual(found, ['args.1#0=p1-secret', 'args.1#1=p2-secret']);
    assert.deepEqual(out, {
      args: ['x', 'a://u:[0]@h b://v:[1]@h'],
      env: [{ name: 'MODE', value: 'u:p@x' }, { value: 'no-name' }],
    });
  });

  test('a credential-named env entry without a string name is no env credential', () => {
    const doc = {
      env: [
        { name: 42, value: 'abc' },
        { name: 'LEVEL', value: 'x', password: 'pw-123456' },
      ],
    };
    assert.deepEqual(
      mapCredentials(doc, () => REDACTED),
      {
        env: [
          { name: 42, value: 'abc' },
          { name: 'LEVEL', value: 'x', password: REDACTED },
        ],
      },
    );
  });
});

describe('Secrets', () => {
  test('redactSecret keeps key names, sorted, and passes other kinds and nothing through', () => {
    assert.deepEqual(
      redactSecret({
        kind: 'Secret',
        metadata: { name: 's' },
        data: { b: b64('2') },
        stringData: { a: '1' },
      }),
      { kind: 'Secret', metadata: { name: 's' }, data: { a: REDACTED, b: REDACTED } },
    );
    assert.deepEqual(redactSecret({ kind: 'Secret', metadata: { name: 's' } }), {
      kind: 'Secret',
      metadata: { name: 's' },
    });
    const map = { kind: 'ConfigMap', data: { a: '1' } };
    assert.equal(redactSecret(map), map);
    assert.equal(redactSecret(undefined), undefined);
  });

  test('a Secret that only exists after is still a Secret', () => {
    const [before, after] = redactSecretPair(undefined, { kind: 'Secret', data: { k: b64('v') } });
    assert.equal(before, undefined);
    assert.deepEqual(after, { kind: 'Secret', data: { k: REDACTED } });
  });

  test('the values worth scrubbing: generated keys and credential-named keys, not identities', () => {
    const secret = {
      kind: 'Secret',
      metadata: { annotations: { [GENERATED_KEYS_ANNOTATION]: 'cookie,seed' } },
      data: { cookie: b64('c-1'), seed: b64('s-1'), password: b64('p-1'), username: b64('langfuse') },
    };
    assert.deepEqual(sensitiveSecretValues(secret).sort(), ['c-1', 'p-1', 's-1']);
    assert.deepEqual(sensitiveSecretValues({ ...secret, metadata: {} }), ['p-1']);
    assert.deepEqual(sensitiveSecretValues({ ...secret, kind: 'ConfigMap' }), []);
    assert.deepEqual(sensitiveSecretValues(undefined), []);
  });
});

describe('scrubbing known values', () => {
  test('values of six characters and more, plain and base64, longest first, ties in order', () => {
    assert.deepEqual(scrubPatterns(['12345', '123456', 'bbbbbbb', 'aaaaaaa']), [
      b64('aaaaaaa'),
      b64('bbbbbbb'),
      b64('123456'),
      'aaaaaaa',
      'bbbbbbb',
      '123456',
    ]);
  });

  test('overlapping values go whole, and every occurrence is counted', () => {
    const patterns = scrubPatterns(['abcdefgh', 'abcdefghij']);
    assert.deepEqual(scrubKnownValues('x abcdefghij y abcdefgh z abcdefgh', patterns, '#'), {
      text: 'x # y # z #',
      count: 3,
    });
    assert.deepEqual(scrubKnownValues('nothing here', patterns), { text: 'nothing here', count: 0 });
  });
});

describe('support bundle redactor', () => {
  test('bearer tokens with any spacing and Authorization headers with a scheme, counted', () => {
    const r = new Redactor([]);
    assert.equal(r.text('a', 'Bearer   abcdefgh1234'), 'Bearer ***');
    assert.equal(r.text('a', 'Authorization :  "Basic dXNlcjpwYXNz"'), 'Authorization :  "Basic ***"');
    assert.equal(r.text('a', "authorization='tok3nvalue'"), "authorization='***'");
    assert.equal(r.text('a', 'Bearer short'), 'Bearer short', 'too short to be a token');
    assert.deepEqual(r.report(), [{ file: 'a', kind: 'bearer-token', count: 3 }]);
  });

  test('credential keys in free text: quoted, spaced, separators, and harmless values', () => {
    const r = new Redactor([]);
    assert.equal(r.text('c', "'db_password' = 'hunter22'"), "'db_password' = '***'");
    assert.equal(r.text('c', 'x.passphrase:abc'), 'x.passphrase:***');
    assert.equal(r.text('c', 'MY_ACCESS-KEY=AKIA123'), 'MY_ACCESS-KEY=***');
    assert.equal(r.text('c', 'private_key: k-1'), 'private_key: ***');
    assert.equal(r.text('c', 'passwd=${PW}'), 'passwd=${PW}');
    assert.equal(r.text('c', 'secretName: db'), 'secretName: db');
    assert.equal(r.text('c', 'url=a://u:***@h'), 'url=a://u:***@h', 'an already masked password stays');
    assert.deepEqual(r.report(), [{ file: 'c', kind: 'sensitive-key', count: 4 }]);
  });

  test('objects: harmless env values stay uncounted, numbers stay, a Secret without data is walked', () => {
    const r = new Redactor([]);
    const out = r.object('o', {
      kind: 'Secret',
      metadata: { name: 's', annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}' } },
      type: 'Opaque',
      env: [
        { name: 'API_TOKEN', value: '$(TOKEN)' },
        { name: 'PORT', value: 8080 },
      ],
      replicas: 3,
      password: 'true',
    });
    assert.deepEqual(out, {
      kind: 'Secret',
      metadata: { name: 's', annotations: {} },
      type: 'Opaque',
      env: [
        { name: 'API_TOKEN', value: '$(TOKEN)' },
        { name: 'PORT', value: 8080 },
      ],
      replicas: 3,
      password: 'true',
    });
    assert.deepEqual(r.report(), [{ file: 'o', kind: 'annotation', count: 1 }]);
  });

  test('a Secret with stringData only keeps its key names', () => {
    const r = new Redactor([]);
    assert.deepEqual(r.object('s', { kind: 'Secret', stringData: { b: 'x', a: 'y' } }), {
      kind: 'Secret',
      dataKeys: ['a', 'b'],
    });
    assert.deepEqual(r.object('s', { kind: 'ConfigMap', data: { password: 'x-123456' } }), {
      kind: 'ConfigMap',
      data: { password: REDACTED },
    });
  });

  test('scrub replaces known values only, and the report is sorted by file, then kind', () => {
    const r = new Redactor(['Kn0wnValue']);
    assert.equal(r.scrub('z', 'password=x Kn0wnValue'), `password=x ${REDACTED}`);
    r.text('b', 'token=abcdef Bearer abcdefghij');
    r.text('a', 'password=abcdef');
    assert.deepEqual(r.report(), [
      { file: 'a', kind: 'sensitive-key', count: 1 },
      { file: 'b', kind: 'bearer-token', count: 1 },
      { file: 'b', kind: 'sensitive-key', count: 1 },
      { file: 'z', kind: 'known-value', count: 1 },
    ]);
  });

  test('REDACTIONS.md, line by line', () => {
    const md = redactionsMarkdown([
      { file: 'a', kind: 'secret-data', count: 2 },
      { file: 'b', kind: 'annotation', count: 1 },
    ]);
    assert.equal(
      md,
      [
        '# Redactions',
        '',
        'Everything in this bundle was redacted before it was written to disk. Values are never listed here,',
        'only what kind of value was replaced, in which file, and how often.',
        '',
        '- `secret-data`: Secret values (key names kept)',
        '- `sensitive-key`: values of password/secret/token/key/credential keys and env vars',
        '- `connection-string`: passwords in connection strings (scheme://user:***@host)',
        '- `bearer-token`: bearer tokens and Authorization headers',
        "- `known-value`: the release's generated secret values, found literally",
        '- `annotation`: kubectl last-applied-configuration annotations (copies of the object)',
        '',
        '| file | kind | count |',
        '| --- | --- | ---: |',
        '| a | secret-data | 2 |',
        '| b | annotation | 1 |',
        '',
        'Total: 3 redactions in 2 files.',
        '',
      ].join('\n'),
    );
    assert.ok(redactionsMarkdown([]).endsWith('(copies of the object)\nNothing needed redacting.\n'));
  });
});
