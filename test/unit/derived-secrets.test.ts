/** Derived Secret entries and Secrets in another namespace, e.g. a registry login for a platform's own workloads. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { secretObjects } from '../../src/render/config-objects.ts';
import type { RenderContext } from '../../src/render/context.ts';
import { fixedSecrets } from '../support/render.ts';

const ctx = {
  release: 'hub',
  namespace: 'hub',
  blueprint: { name: 'x', version: '0', appVersion: '1' },
  common: {} as never,
} as RenderContext;

test('a derived entry is computed from the kept generated values, in the namespace and type asked for', () => {
  const [registry, pull] = secretObjects(
    ctx,
    [
      {
        name: 'registry',
        generated: { password: { kind: 'alphanumeric', length: 24 } },
        fixed: { username: 'csghub' },
      },
      {
        name: 'space-pull',
        namespace: 'spaces',
        type: 'kubernetes.io/dockerconfigjson',
        generated: {},
        derived: {
          '.dockerconfigjson': (value) => `${value('registry', 'username')}:${value('registry', 'password')}`,
        },
      },
    ],
    fixedSecrets,
  );
  const password = (registry!.stringData as Record<string, string>).password!;
  assert.equal((pull!.stringData as Record<string, string>)['.dockerconfigjson'], `csghub:${password}`);
  assert.equal(pull!.metadata.namespace, 'spaces');
  assert.equal(pull!.type, 'kubernetes.io/dockerconfigjson');
  assert.equal(registry!.metadata.namespace, 'hub');
});

test('a derived entry that reads an unknown Secret is a blueprint bug', () => {
  assert.throws(
    () =>
      secretObjects(
        ctx,
        [{ name: 'a', generated: {}, derived: { k: (value) => value('nope', 'x') } }],
        fixedSecrets,
      ),
    /blueprint bug: a derived secret entry reads nope\/x/,
  );
});
