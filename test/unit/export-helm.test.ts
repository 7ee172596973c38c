/**
 * What `berth export helm` may template and what it must refuse. (Equivalence with the real Helm
 * is tested end to end in test/e2e/export-helm.test.ts.)
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Blueprint } from '../../src/blueprints/blueprint.ts';
import { getBlueprint } from '../../src/blueprints/registry.ts';
import { BerthError } from '../../src/errors.ts';
import { helmChart } from '../../src/export/helm.ts';
import type { SecretSpec } from '../../src/render/model.ts';

const langfuse = await getBlueprint('langfuse');

/** Langfuse plus one more Secret whose entry is computed from a generated value. */
function withDerived(derive: (salt: string) => string): Blueprint {
  const login: SecretSpec = {
    name: 'login',
    generated: {},
    derived: { token: (value) => derive(value('app', 'salt')) },
  };
  return {
    ...langfuse,
    build: (values, ctx) => {
      const platform = langfuse.build(values, ctx);
      return { ...platform, secrets: [...platform.secrets, login] };
    },
  };
}

const chart = (blueprint: Blueprint) => helmChart(blueprint, {}, { jsonSchema: {} });

test('an entry built from a generated value by concatenation becomes a template expression', async () => {
  const files = await chart(withDerived((salt) => `salt=${salt};`));
  const secret = [...files].find(([path]) => path.endsWith('-secret-release-login.yaml'));
  assert.ok(secret);
  assert.match(
    secret[1],
    /token: \{\{ \(print "salt=" \(index \$\.Values\.__berthGenerated "g\d+"\) ";"\) \| toJson \}\}/,
  );
  assert.match(secret[1], /^\{\{- include "berth\.generated" \$ \}\}/);
});

test('an entry that transforms a generated value cannot be templated: export refuses', async () => {
  await assert.rejects(
    chart(withDerived((salt) => Buffer.from(salt).toString('base64'))),
    (error: unknown) =>
      error instanceof BerthError &&
      /Secret release-login depends on .* a template cannot reproduce/.test(error.message),
  );
});

test('literal template braces in rendered objects are escaped for Helm', async () => {
  const files = await chart(withDerived((salt) => `{{ ${salt} }}`));
  const secret = [...files].find(([path]) => path.endsWith('-secret-release-login.yaml'))!;
  assert.match(secret[1], /\(print "\{\{ " /);
  const alerts = await helmChart(
    await getBlueprint('model-router'),
    { monitoring: { prometheusRule: { enabled: true } } },
    { jsonSchema: {} },
  );
  const rule = [...alerts].find(([path]) => path.includes('prometheusrule'));
  assert.ok(rule, 'the model router renders alert rules');
  const unescaped = rule[1].replaceAll('{{ "{{" }}', '').replace(/\{\{ .*? \| toJson \}\}/g, '');
  assert.ok(rule[1].includes('{{ "{{" }}'), 'the alert text has template braces');
  assert.ok(!unescaped.includes('{{'), 'every {{ of the alert text is escaped');
});
