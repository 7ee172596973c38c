// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are compose interpolation syntax, not templates
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { parse } from 'yaml';
import type { Blueprint } from '../../src/blueprints/blueprint.ts';
import { registerImportCommand } from '../../src/cli/commands/import.ts';
import { importCompose } from '../../src/compose/index.ts';
import { interpolate, parseEnvFile } from '../../src/compose/interpolate.ts';
import { durationSeconds, loadCompose, shellWords } from '../../src/compose/load.ts';
import { schemaViolations } from '../../src/render/openapi.ts';
import { render } from '../../src/render/render.ts';
import { find, fixedSecrets, names, podSpec } from '../support/render.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FIXTURES = join(ROOT, 'test/fixtures/compose');
const FEATURES = join(FIXTURES, 'features/docker-compose.yaml');
const DIFY_LIKE = join(FIXTURES, 'dify-like/docker-compose.yaml');
/** Generated skeletons are type-checked inside the repo (so they resolve src/), then deleted. */
const TMP = join(ROOT, `test/.tmp-compose-import-${process.pid}`);
after(() => rmSync(TMP, { recursive: true, force: true }));

const features = () => importCompose({ file: FEATURES, name: 'features', environment: {} });
const difyLike = (profiles: string[] = ['postgresql', 'weaviate']) =>
  importCompose({ file: DIFY_LIKE, name: 'dify-like', profiles, environment: {} });
const component = (result: ReturnType<typeof features>, name: string) =>
  result.plan.components.find((c) => c.name === name)!;

describe('compose interpolation', () => {
  test('every form compose supports', () => {
    const vars = { SET: 'value', EMPTY: '' };
    assert.equal(interpolate('${SET} $SET', vars).value, 'value value');
    assert.equal(interpolate('${EMPTY:-fallback}|${EMPTY-fallback}', vars).value, 'fallback|');
    assert.equal(interpolate('${MISSING:-a ${SET} b}', vars).value, 'a value b');
    assert.equal(interpolate('${SET:+alt}${MISSING:+alt}', vars).value, 'alt');
    assert.equal(interpolate('costs $$5 and $${X}', vars).value, 'costs $5 and ${X}');
    assert.deepEqual(interpolate('${MISSING}', vars), { value: '', unset: ['MISSING'] });
    assert.throws(
      () => interpolate('${MISSING:?say why}', vars, 'app.image'),
      /app\.image: required variable MISSING is missing: say why/,
    );
    assert.throws(() => interpolate('${EMPTY:?}', vars), /EMPTY is missing/);
    assert.equal(interpolate('${EMPTY?}', vars).value, '');
  });

  test('.env files, the --env-file default and the process environment', () => {
    assert.deepEqual(parseEnvFile('# c\nA=1\nexport B="two words"\nC=\'x\' # note\nD=plain # note\n'), {
      A: '1',
      B: 'two words',
      C: 'x',
      D: 'plain',
    });
    // features/.env sets APP_TAG=2.0.2; the process environment wins over it.
    assert.equal(component(features(), 'app').image.tag, '2.0.2');
    const fromEnv = importCompose({ file: FEATURES, name: 'f', environment: { APP_TAG: '3.0.0' } });
    assert.equal(component(fromEnv, 'app').image.tag, '3.0.0');
    assert.throws(
      () => importCompose({ file: join(FIXTURES, 'required/docker-compose.yaml'), environment: {} }),
      /APP_TAG must name a released version/,
    );
  });

  test('helpers: durations and shell words', () => {
    assert.equal(durationSeconds('1m30s'), 90);
    assert.equal(durationSeconds('500ms'), 1);
    assert.deepEqual(shellWords(`postgres -c 'a=1' "b c" d\\ e`), ['postgres', '-c', 'a=1', 'b c', 'd e']);
  });
});

describe('compose import', () => {
  test('profiles: services with profiles only when asked for', () => {
    const none = difyLike([]);
    assert.ok(
      !none.plan.components.some((c) => ['db-postgres', 'weaviate', 'qdrant', 'db-mysql'].includes(c.name)),
    );
    assert.deepEqual([...none.plan.skipped].sort(), ['db_mysql', 'db_postgres', 'qdrant', 'weaviate']);
    assert.ok(
      none.plan.notes.includes(
        'DB_HOST points at service db_postgres, which is not included (its profile was not selected): point it at your own db_postgres before installing',
      ),
      'a setting that names a left-out service is reported',
    );
    const some = difyLike(['postgresql', 'qdrant']);
    assert.ok(some.plan.components.some((c) => c.name === 'db-postgres'));
    assert.ok(some.plan.components.some((c) => c.name === 'qdrant'));
    assert.ok(!some.plan.components.some((c) => c.name === 'weaviate'));
    const features = importCompose({ file: FEATURES, name: 'f', profiles: ['debug'], environment: {} });
    assert.ok(features.plan.components.some((c) => c.name === 'debug'));
  });

  test('x- extension fields and <<: merge keys are resolved', () => {
    const { plan } = difyLike();
    const api = plan.components.find((c) => c.name === 'api')!;
    assert.equal(api.config.MODE, 'api');
    assert.equal(api.config.LOG_LEVEL, 'INFO');
    assert.equal(api.config.UPLOAD_FILE_SIZE_LIMIT, '15');
    assert.ok(!plan.components.some((c) => c.name.startsWith('x-')));
  });

  test('environment list and map forms, env_file, host names rewritten to Services', () => {
    const result = features();
    const app = component(result, 'app');
    assert.equal(app.config.APP_MODE, 'production');
    assert.equal(app.config.GREETING, 'costs $5');
    assert.equal(app.config.FEATURE_FLAGS, 'alpha,beta');
    assert.equal(app.config.QUOTED, 'single quoted');
    assert.ok(result.plan.notes.some((n) => n.includes('optional env_file optional.env does not exist')));
    assert.equal(component(result, 'migrate').config.DB_HOST, '{{host:db}}');
    const api = difyLike().plan.components.find((c) => c.name === 'api')!;
    assert.equal(api.config.DB_HOST, '{{host:db-postgres}}');
    assert.equal(api.config.PLUGIN_DAEMON_URL, 'http://{{host:plugin-daemon}}:5002');
    assert.equal(api.config.VECTOR_STORE, 'weaviate', 'not a host variable: left alone');
    assert.equal(api.config.CELERY_BACKEND, 'redis');
  });

  test('secrets split by name and by value; embedded credentials become $(VAR) references', () => {
    const { plan } = difyLike();
    const api = plan.components.find((c) => c.name === 'api')!;
    assert.deepEqual(api.secretEnv, {
      SECRET_KEY: 'secret-key',
      DB_PASSWORD: 'db-password',
      REDIS_PASSWORD: 'redis-password',
    });
    assert.equal(api.config.SECRET_KEY, undefined);
    assert.equal(api.derivedEnv.CELERY_BROKER_URL, 'redis://:$(REDIS_PASSWORD)@{{host:redis}}:6379/1');
    assert.equal(api.config.S3_SECRET_KEY, '', 'empty secrets stay plain settings');
    const db = plan.components.find((c) => c.name === 'db-postgres')!;
    assert.deepEqual(db.secretEnv, { POSTGRES_PASSWORD: 'db-password' }, 'same value, same generated key');
    const redis = plan.components.find((c) => c.name === 'redis')!;
    assert.deepEqual(redis.secretEnv, { REDISCLI_AUTH: 'redis-password' }, 'secret by value, not by name');
    assert.deepEqual(redis.args, ['redis-server', '--requirepass', '$(REDISCLI_AUTH)']);
    assert.deepEqual(Object.keys(plan.secrets), [
      'api-key',
      'authentication-apikey-allowed-keys',
      'db-password',
      'redis-password',
      'secret-key',
    ]);
    const app = component(features(), 'app');
    assert.deepEqual(app.secretEnv, {
      API_TOKEN: 'api-token',
      SESSION_SECRET: 'session-secret',
      BERTH_SECRET_DB_PASSWORD: 'db-password',
    });
    assert.equal(
      app.derivedEnv.DATABASE_URL,
      'postgres://app:$(BERTH_SECRET_DB_PASSWORD)@{{host:db}}:5432/app',
    );
    const json = JSON.stringify(difyLike().plan);
    for (const leaked of ['example-db-pass', 'example-redis-pass', 'change-me-secret-key']) {
      assert.ok(!json.includes(leaked), `${leaked} must not reach the plan`);
    }
  });

  test('flags and numbers under secret-looking names stay settings (Dify has many)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-compose-flags-'));
    const file = join(dir, 'docker-compose.yaml');
    writeFileSync(
      file,
      [
        'services:',
        '  api:',
        '    image: example/api:1.0',
        '    environment:',
        '      PLUGIN_BASED_TOKEN_COUNTING_ENABLED: "false"',
        '      ACCESS_TOKEN_EXPIRE_MINUTES: "60"',
        '      DEBUG: "false"',
        '      TIMEOUT: "60"',
        '      DB_PASSWORD: s3cret-pass-1',
        '  db:',
        '    image: postgres:17',
        '    environment:',
        '      POSTGRES_PASSWORD: s3cret-pass-1',
      ].join('\n'),
    );
    const { plan } = importCompose({ file, name: 'flags', environment: {} });
    rmSync(dir, { recursive: true, force: true });
    const api = plan.components.find((c) => c.name === 'api')!;
    assert.deepEqual(api.secretEnv, { DB_PASSWORD: 'db-password' });
    assert.equal(api.config.DEBUG, 'false');
    assert.equal(api.config.TIMEOUT, '60');
    assert.equal(api.config.PLUGIN_BASED_TOKEN_COUNTING_ENABLED, 'false');
    assert.equal(api.config.ACCESS_TOKEN_EXPIRE_MINUTES, '60');
    assert.deepEqual(plan.components.find((c) => c.name === 'db')!.secretEnv, {
      POSTGRES_PASSWORD: 'db-password',
    });
  });

  test('ports: short, long, host-bound, expose, references, healthchecks; ranges reported', () => {
    const result = features();
    const app = component(result, 'app');
    assert.deepEqual(
      app.ports.map((p) => [p.containerPort, p.protocol, p.source]),
      [
        [3000, 'TCP', 'ports'],
        [9090, 'TCP', 'ports'],
        [6060, 'UDP', 'ports'],
        [4000, 'TCP', 'expose'],
      ],
    );
    assert.ok(
      result.plan.unsupported.some((u) => u.service === 'app' && u.key === 'ports 7000-7001:7000-7001'),
    );
    const dify = difyLike().plan;
    assert.deepEqual(
      dify.components.find((c) => c.name === 'sandbox')!.ports.map((p) => p.containerPort),
      [8194],
    );
    assert.deepEqual(
      dify.components.find((c) => c.name === 'db-postgres')!.ports.map((p) => [p.containerPort, p.source]),
      [[5432, 'reference']],
      'DB_HOST: db_postgres with DB_PORT: 5432',
    );
    assert.deepEqual(
      result.plan.components.find((c) => c.name === 'db')!.ports.map((p) => p.source),
      ['reference'],
      'postgres://…@db:5432 in DATABASE_URL',
    );
  });

  test('volumes: named and data directories become claims, shared ones ReadWriteMany; files are ConfigMap notes', () => {
    const result = features();
    const app = component(result, 'app');
    assert.deepEqual(
      app.volumes.map((v) => [v.mountPath, v.claim ?? (v.memory ? 'memory' : 'emptyDir')]),
      [
        ['/srv/uploads', 'uploads'],
        ['/var/cache/app', 'cache'],
        ['/tmp/scratch', 'emptyDir'],
        ['/run/app', 'memory'],
      ],
    );
    assert.ok(result.plan.notes.some((n) => n.includes('./config/app.yaml') && n.includes('ConfigMap')));
    assert.equal(component(result, 'db').kind, 'StatefulSet');
    const dify = difyLike().plan;
    const storage = dify.claims.find((c) => c.source === './volumes/app/storage')!;
    assert.equal(storage.accessMode, 'ReadWriteMany');
    assert.deepEqual(storage.users, ['init-permissions', 'api', 'worker']);
    assert.equal(
      dify.components.find((c) => c.name === 'api')!.kind,
      'Deployment',
      'a shared volume is not a StatefulSet',
    );
  });

  test('depends_on (list and long form) → stages; completed_successfully → a Job in migrations', () => {
    const dify = difyLike().plan;
    assert.deepEqual(dify.stages.migrations, ['init-permissions']);
    assert.ok(dify.stages.dependencies.includes('db-postgres'));
    assert.ok(dify.stages.backends.includes('api'));
    assert.deepEqual(dify.stages.frontends, ['nginx']);
    assert.ok(dify.notes.some((n) => n.includes('depends_on db_mysql (required: false)')));
    const result = features();
    assert.equal(component(result, 'migrate').kind, 'Job', 'app waits for it to complete');
    assert.equal(component(result, 'migrate').stage, 'migrations');
    assert.equal(component(result, 'db').stage, 'dependencies');
    assert.equal(component(result, 'app').kind, 'StatefulSet', 'it owns named volumes');
    assert.equal(component(result, 'app').stage, 'backends', 'it waits for db and migrate');
    assert.deepEqual(component(result, 'app').dependsOn, ['db', 'migrate']);
  });

  test('healthchecks → probes: curl/wget → httpGet, CMD/CMD-SHELL → exec, disable → none', () => {
    const app = component(features(), 'app');
    assert.deepEqual(app.probe, {
      http: { path: '/healthz', port: 3000 },
      periodSeconds: 90,
      timeoutSeconds: 10,
      failureThreshold: 5,
      initialDelaySeconds: 20,
    });
    const dify = difyLike().plan;
    assert.deepEqual(dify.components.find((c) => c.name === 'api')!.probe?.http, {
      path: '/health',
      port: 5001,
    });
    assert.deepEqual(dify.components.find((c) => c.name === 'worker')!.probe?.exec, [
      'sh',
      '-c',
      'celery -A app.celery inspect ping',
    ]);
    assert.deepEqual(dify.components.find((c) => c.name === 'db-postgres')!.probe?.exec?.[0], 'pg_isready');
    const off = loadCompose(
      'services:\n  a:\n    image: x:1\n    healthcheck:\n      test: ["CMD", "true"]\n      disable: true\n',
      {
        variables: {},
        profiles: [],
        readEnvFile: () => undefined,
      },
    );
    assert.equal(off.services[0]!.healthcheck, undefined);
  });

  test('command/entrypoint, deploy, user and restart', () => {
    const result = features();
    const app = component(result, 'app');
    assert.deepEqual(app.command, ['/usr/bin/tini', '--']);
    assert.deepEqual(app.args, ['serve', '--port', '3000']);
    assert.equal(app.replicas, 2);
    assert.deepEqual(app.resources, {
      requests: { cpu: '250m', memory: '512Mi' },
      limits: { cpu: '1500m', memory: '2Gi' },
    });
    assert.equal(app.runAsUser, 1000);
    assert.equal(app.runAsGroup, 1000);
    assert.deepEqual(component(result, 'migrate').args, ['app', 'migrate']);
    assert.ok(result.plan.notes.some((n) => n.startsWith('app: restart: unless-stopped ignored')));
    assert.ok(
      result.plan.notes.some((n) => n.includes('logging ignored')),
      'keys merged from an anchor count too',
    );
  });

  test('unsupported keys are reported with service, key and reason', () => {
    const { plan } = features();
    const reported = plan.unsupported.map((u) => `${u.service}:${u.key}`);
    for (const expected of [
      'app:privileged',
      'app:cap_add',
      'app:ulimits',
      'app:working_dir',
      'app:deploy.placement',
      'app:ports 7000-7001:7000-7001',
      'builder:build',
      '(top level):secrets',
    ]) {
      assert.ok(reported.includes(expected), `${expected} in ${reported.join(', ')}`);
    }
    for (const item of plan.unsupported) assert.ok(item.reason.length > 10);
    // user: root is decided (an exception with its reason, see REPORT.md Users), not only listed.
    assert.equal(plan.components.find((c) => c.name === 'builder')!.securityException?.runAsRoot, true);
    assert.ok(!reported.some((r) => r.includes('container_name')), 'ignored keys are notes, not unsupported');
    const report = features().files['REPORT.md'];
    assert.match(report, /\| app \| `privileged` \| pods run non-root/);
    assert.ok(!difyLike().plan.components.some((c) => !c.image.pinned && c.image.tag === 'latest'));
  });

  test('the generated skeleton type-checks and renders valid objects', async () => {
    for (const [name, result] of [
      [
        'features',
        importCompose({ file: FEATURES, name: 'features', environment: {}, srcRoot: '../../../src' }),
      ],
      [
        'dify-like',
        importCompose({
          file: DIFY_LIKE,
          name: 'dify-like',
          profiles: ['postgresql', 'weaviate'],
          environment: {},
          srcRoot: '../../../src',
        }),
      ],
    ] as const) {
      const dir = join(TMP, name);
      mkdirSync(dir, { recursive: true });
      for (const [file, content] of Object.entries(result.files)) writeFileSync(join(dir, file), content);
      writeFileSync(
        join(TMP, 'tsconfig.json'),
        JSON.stringify({ extends: '../../tsconfig.json', include: ['./**/*.ts'] }),
      );
      execFileSync(join(ROOT, 'node_modules/.bin/tsc'), ['-p', join(TMP, 'tsconfig.json')], {
        stdio: 'pipe',
      });
      const { blueprint } = (await import(join(dir, 'blueprint.ts'))) as { blueprint: Blueprint };
      const values = parse(readFileSync(join(dir, 'values.yaml'), 'utf8'));
      const rendered = await render(blueprint, values, {
        release: name,
        namespace: 'ns',
        secretValues: fixedSecrets,
      });
      assert.deepEqual(await schemaViolations(rendered.manifests.map((m) => m.object)), []);
      if (name === 'dify-like') {
        assert.deepEqual(
          rendered.manifests.filter((m) => m.object.kind === 'Job').map((m) => m.stage),
          ['migrations'],
        );
        const api = find(rendered, 'Deployment', 'dify-like-api');
        const env = Object.fromEntries(
          podSpec(api).containers[0].env.map((e: any) => [e.name, e.value ?? e.valueFrom]),
        );
        assert.deepEqual(env.DB_PASSWORD, {
          secretKeyRef: { name: 'dify-like-secrets', key: 'db-password' },
        });
        assert.equal(env.CELERY_BROKER_URL, 'redis://:$(REDIS_PASSWORD)@dify-like-redis.ns.svc:6379/1');
        const config = (find(rendered, 'ConfigMap', 'dify-like-api') as any).data;
        assert.equal(config.DB_HOST, 'dify-like-db-postgres.ns.svc');
        const worker = podSpec(find(rendered, 'Deployment', 'dify-like-worker'));
        assert.equal(
          worker.volumes.find((v: any) => v.persistentVolumeClaim).persistentVolumeClaim.claimName,
          'dify-like-init-permissions-volumes-app-storage',
        );
        assert.ok(names(rendered, 'StatefulSet').includes('StatefulSet/dify-like-db-postgres'));
        assert.ok(names(rendered, 'Service').includes('Service/dify-like-api'));
      }
    }
  });

  test('the CLI writes the files, or prints the plan as JSON', async () => {
    const dir = join(TMP, 'cli-out');
    const program = new Command().exitOverride();
    registerImportCommand(program);
    const stderr = process.stderr.write;
    process.stderr.write = (() => true) as typeof process.stderr.write;
    try {
      await program.parseAsync(
        ['import', 'compose', DIFY_LIKE, '--name', 'cli', '--output-dir', dir, '--profile', 'postgresql'],
        {
          from: 'user',
        },
      );
    } finally {
      process.stderr.write = stderr;
    }
    for (const file of ['blueprint.ts', 'values.ts', 'values.yaml', 'REPORT.md'])
      assert.ok(existsSync(join(dir, file)), file);
    const json = execFileSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `import { Command } from 'commander';
         import { registerImportCommand } from ${JSON.stringify(join(ROOT, 'src/cli/commands/import.ts'))};
         const p = new Command(); registerImportCommand(p);
         await p.parseAsync(['import', 'compose', ${JSON.stringify(DIFY_LIKE)}, '-o', 'json'], { from: 'user' });`,
      ],
      { cwd: ROOT, encoding: 'utf8' },
    );
    const plan = JSON.parse(json);
    assert.equal(plan.kind, 'ComposeImportPlan');
    assert.ok(
      Array.isArray(plan.components) && Array.isArray(plan.unsupported) && plan.stages && plan.secrets,
    );
  });
});
