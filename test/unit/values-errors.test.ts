/**
 * Bad input through the real CLI: each case asserts the exact error line(s), the exit code, and that
 * nothing was written to stdout and no stack trace leaked.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { blueprintNames } from '../../src/blueprints/registry.ts';
import { runBerth } from '../support/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'berth-values-'));
function file(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

const HINT =
  'hint: berth values <blueprint> lists every key with its default; berth schema <blueprint> gives the JSON Schema';

interface Case {
  readonly name: string;
  readonly args: readonly string[];
  readonly stderr: readonly string[];
  readonly code: number;
}

const render = (...args: string[]) => ['render', 'langfuse', ...args];

const cases: Case[] = [
  {
    name: 'mistyped key suggests the nearest one',
    args: render('--set', 'services.web.replica=3'),
    stderr: ['error: values services.web.replica: unknown key; did you mean services.web.replicas?', HINT],
    code: 1,
  },
  {
    name: 'unknown top-level key lists known keys',
    args: render('--set', 'webb.replicas=1'),
    stderr: [
      'error: values webb: unknown key; known keys: global, langfuse, services, dependencies, integrations, ingress, monitoring, networkPolicy, backup, extraObjects, patches',
      HINT,
    ],
    code: 1,
  },
  {
    name: 'mistyped component name',
    args: render('--set', 'services.wokrer.replicas=2'),
    stderr: ['error: values services.wokrer: unknown key; did you mean services.worker?', HINT],
    code: 1,
  },
  {
    name: 'negative replicas',
    args: render('--set', 'services.web.replicas=-1'),
    stderr: ['error: values services.web.replicas: expected a number ≥ 0, got number -1', HINT],
    code: 1,
  },
  {
    name: 'replicas as a word',
    args: render('--set', 'services.web.replicas=three'),
    stderr: ['error: values services.web.replicas: expected a number, got string "three"', HINT],
    code: 1,
  },
  {
    name: 'fractional replicas',
    args: render('-f', file('frac.yaml', 'services:\n  web:\n    replicas: 1.5\n')),
    stderr: ['error: values services.web.replicas: expected a whole number, got number 1.5', HINT],
    code: 1,
  },
  {
    name: 'bad anti-affinity preset',
    args: render('--set', 'global.podAntiAffinityPreset=medium'),
    stderr: [
      'error: values global.podAntiAffinityPreset: expected one of "soft", "hard", "none", got string "medium"',
      HINT,
    ],
    code: 1,
  },
  {
    name: 'bad cpu quantity',
    args: render('--set', 'services.web.resources.requests.cpu=lots'),
    stderr: [
      'error: values services.web.resources.requests.cpu: expected a Kubernetes quantity such as 500m, 1Gi or 2 (not negative), got string "lots"',
      HINT,
    ],
    code: 1,
  },
  {
    name: 'bad memory quantity',
    args: render('--set', 'services.worker.resources.limits.memory=8GB'),
    stderr: [
      'error: values services.worker.resources.limits.memory: expected a Kubernetes quantity such as 500m, 1Gi or 2 (not negative), got string "8GB"',
      HINT,
    ],
    code: 1,
  },
  {
    name: 'integration without existingSecret and host',
    args: render('--set', 'integrations.postgresql.enabled=true'),
    stderr: [
      'error: values integrations.postgresql.existingSecret: required when enabled is true (the name of a Secret that holds the credentials)',
      'error: values integrations.postgresql.host: required when enabled is true',
      HINT,
    ],
    code: 1,
  },
  {
    name: 'redis integration without host',
    args: render('--set', 'integrations.redis.enabled=true,integrations.redis.existingSecret=r'),
    stderr: ['error: values integrations.redis.host: required when enabled is true', HINT],
    code: 1,
  },
  {
    name: 's3 integration without secret',
    args: render('--set', 'integrations.s3.enabled=true'),
    stderr: [
      'error: values integrations.s3.existingSecret: required when enabled is true (the name of a Secret that holds the credentials)',
      HINT,
    ],
    code: 1,
  },
  {
    name: 'integration enabled as a string',
    args: render('--set-string', 'integrations.redis.enabled=yes'),
    stderr: ['error: values integrations.redis.enabled: expected true or false, got string "yes"', HINT],
    code: 1,
  },
  {
    name: 'port out of range',
    args: render('--set', 'integrations.postgresql.port=70000'),
    stderr: ['error: values integrations.postgresql.port: expected a number ≤ 65535, got number 70000', HINT],
    code: 1,
  },
  {
    name: 'ingress without host',
    args: render('--set', 'ingress.enabled=true'),
    stderr: ['error: values ingress.host: required when ingress.enabled is true (or ingress.hosts)', HINT],
    code: 1,
  },
  {
    name: 'ingress host with capitals',
    args: render('--set', 'ingress.host=Langfuse.Example.com'),
    stderr: [
      'error: values ingress.host: expected a DNS-1123 name (lower-case letters, digits, "-" and "."), got string "Langfuse.Example.com"',
      HINT,
    ],
    code: 1,
  },
  {
    name: 'both cert-manager issuers',
    args: render('--set', 'ingress.tls.clusterIssuer=a,ingress.tls.issuer=b'),
    stderr: ['error: values ingress.tls.issuer: set tls.clusterIssuer or tls.issuer, not both', HINT],
    code: 1,
  },
  {
    name: 'latest tag refused',
    args: render('--set', 'services.web.image.tag=latest'),
    stderr: ['error: values services.web.image.tag: a pinned tag, not "latest"', HINT],
    code: 1,
  },
  {
    name: 'bad pull policy',
    args: render('--set', 'services.web.image.pullPolicy=Sometimes'),
    stderr: [
      'error: values services.web.image.pullPolicy: expected one of "IfNotPresent", "Always", "Never", got string "Sometimes"',
      HINT,
    ],
    code: 1,
  },
  {
    name: 'autoscaling bounds inverted',
    args: render('--set', 'services.web.autoscaling.minReplicas=5,services.web.autoscaling.maxReplicas=2'),
    stderr: [
      'error: values services.web.autoscaling.maxReplicas: minReplicas must not exceed maxReplicas',
      HINT,
    ],
    code: 1,
  },
  {
    name: 'PDB with both limits',
    args: render(
      '--set',
      'services.web.podDisruptionBudget.minAvailable=1,services.web.podDisruptionBudget.maxUnavailable=1',
    ),
    stderr: [
      'error: values services.web.podDisruptionBudget.maxUnavailable: set minAvailable or maxUnavailable, not both',
      HINT,
    ],
    code: 1,
  },
  {
    name: 'PDB percentage malformed',
    args: render('--set', 'services.web.podDisruptionBudget.minAvailable=half'),
    stderr: [
      'error: values services.web.podDisruptionBudget.minAvailable: expected a whole number or a percentage such as 50%, got string "half"',
      HINT,
    ],
    code: 1,
  },
  {
    name: 'extraEnv entry without value',
    args: render(
      '-f',
      file('env.yaml', 'services:\n  web:\n    extraEnv:\n      - name: AUTH_DISABLE_SIGNUP\n'),
    ),
    stderr: ['error: values services.web.extraEnv[0]: exactly one of value or valueFrom', HINT],
    code: 1,
  },
  {
    name: 'extraEnv as a map instead of a list',
    args: render(
      '-f',
      file('envmap.yaml', 'services:\n  web:\n    extraEnv:\n      AUTH_DISABLE_SIGNUP: "true"\n'),
    ),
    stderr: ['error: values services.web.extraEnv: expected a list, got a map', HINT],
    code: 1,
  },
  {
    name: 'customLabels value not a string',
    args: render('--set', 'services.web.customLabels.team=7'),
    stderr: ['error: values services.web.customLabels.team: expected a string, got number 7', HINT],
    code: 1,
  },
  {
    name: 'persistence size malformed',
    args: render('--set', 'dependencies.postgresql.persistence.size=big'),
    stderr: [
      'error: values dependencies.postgresql.persistence.size: expected a Kubernetes quantity such as 500m, 1Gi or 2 (not negative), got string "big"',
      HINT,
    ],
    code: 1,
  },
  {
    name: 'several problems reported at once',
    args: render(
      '--set',
      'services.web.replicas=x',
      '--set',
      'global.storageClass=5',
      '--set',
      'monitoring.serviceMonitor.enabled=on',
    ),
    stderr: [
      'error: values global.storageClass: expected a string, got number 5',
      'error: values services.web.replicas: expected a number, got string "x"',
      'error: values monitoring.serviceMonitor.enabled: expected true or false, got string "on"',
      HINT,
    ],
    code: 1,
  },
  {
    name: 'password-like values are not echoed',
    args: render('--set', 'langfuse.secretKeys.salt=5'),
    stderr: ['error: values langfuse.secretKeys.salt: expected a string, got number 5', HINT],
    code: 1,
  },
  {
    name: 'top level is a list',
    args: render('-f', file('list.yaml', '- a\n- b\n')),
    stderr: [`error: values file ${join(dir, 'list.yaml')}: expected a map of values at the top, got a list`],
    code: 1,
  },
  {
    name: 'broken YAML names the line',
    args: render('-f', file('broken.yaml', 'services:\n  web: [1, 2\n')),
    stderr: [
      `error: values file ${join(dir, 'broken.yaml')}:3:1: invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]`,
    ],
    code: 1,
  },
  {
    name: 'duplicate keys in YAML',
    args: render('-f', file('dup.yaml', 'global:\n  storageClass: a\n  storageClass: b\n')),
    stderr: [
      `error: values file ${join(dir, 'dup.yaml')}:3:3: invalid YAML: map keys must be unique ("storageClass")`,
    ],
    code: 1,
  },
  {
    name: 'missing values file',
    args: render('-f', join(dir, 'nope.yaml')),
    stderr: [`error: values file ${join(dir, 'nope.yaml')}: no such file`],
    code: 1,
  },
  {
    name: '--set without equals',
    args: render('--set', 'services.web.replicas'),
    stderr: [
      'error: --set "services.web.replicas": "services.web.replicas" has no "=" (expected key=value)',
      'hint: use key.path=value, with a\\.b for a literal dot and list[0] for list items',
    ],
    code: 1,
  },
  {
    name: '--set-file with a missing file',
    args: render('--set-file', `langfuse.nextauthUrl=${join(dir, 'missing.txt')}`),
    stderr: [
      `error: --set-file "langfuse.nextauthUrl=${join(dir, 'missing.txt')}": ${join(dir, 'missing.txt')}: no such file`,
    ],
    code: 1,
  },
  {
    name: 'unknown blueprint',
    args: ['render', 'langfuze'],
    stderr: [
      'error: unknown blueprint "langfuze"; did you mean langfuse?',
      `hint: known blueprints: ${blueprintNames().join(', ')} (berth blueprints)`,
    ],
    code: 1,
  },
  {
    name: 'bad release name',
    args: render('--release', 'My_Release'),
    stderr: [
      'error: release name "My_Release" is invalid: expected lower-case letters, digits and "-", starting with a letter, at most 40 characters',
    ],
    code: 1,
  },
  {
    name: 'bad output format',
    args: render('-o', 'xml'),
    stderr: ['error: --output: expected one of yaml, json, got "xml"'],
    code: 1,
  },
  {
    name: 'unknown flag is a usage error',
    args: render('--sett', 'a=b'),
    stderr: ["error: unknown option '--sett'", '(Did you mean --set?)'],
    code: 2,
  },
  {
    name: 'missing argument is a usage error',
    args: ['render'],
    stderr: ["error: missing required argument 'blueprint'"],
    code: 2,
  },
];

describe('bad input gives one clear line per problem and a non-zero exit', { concurrency: 6 }, () => {
  test('there are at least 30 cases', () => assert.ok(cases.length >= 30));
  for (const c of cases) {
    test(c.name, async () => {
      const result = await runBerth(c.args);
      assert.deepEqual(result.stderr.trimEnd().split('\n'), c.stderr);
      assert.equal(result.code, c.code);
      assert.equal(result.stdout, '');
      assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
    });
  }
});
