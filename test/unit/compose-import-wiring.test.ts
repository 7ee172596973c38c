// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are compose interpolation syntax, not templates
/**
 * Wiring a compose network gives for free and a skeleton must rebuild: probes that name compose
 * hosts, images that run as root, called services without published ports, mounted configuration
 * files, and settings whose value merely equals a password.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import type { Blueprint } from '../../src/blueprints/blueprint.ts';
import { importCompose } from '../../src/compose/index.ts';
import { schemaViolations } from '../../src/render/openapi.ts';
import { render } from '../../src/render/render.ts';
import { find, fixedSecrets, names, podSpec } from '../support/render.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const WIRING = join(ROOT, 'test/fixtures/compose/wiring/docker-compose.yaml');
const DIFY_LIKE = join(ROOT, 'test/fixtures/compose/dify-like/docker-compose.yaml');
const TMP = join(ROOT, `test/.tmp-compose-wiring-${process.pid}`);
after(() => rmSync(TMP, { recursive: true, force: true }));

const wiring = (srcRoot?: string) =>
  importCompose({ file: WIRING, name: 'wiring', environment: {}, ...(srcRoot ? { srcRoot } : {}) });
const difyLike = () =>
  importCompose({
    file: DIFY_LIKE,
    name: 'dify-like',
    profiles: ['postgresql', 'weaviate'],
    environment: {},
  });
type Result = ReturnType<typeof wiring>;
const component = (result: Result, name: string) => {
  const found = result.plan.components.find((c) => c.name === name);
  assert.ok(found, `component ${name}`);
  return found;
};

describe('compose import: wiring a skeleton needs', () => {
  test('1. health checks that name a compose host probe the pod itself', () => {
    const result = wiring();
    // The container's own name in a URL: the check is of itself, an httpGet on the pod.
    assert.deepEqual(component(result, 'proxy').probe?.http, { path: '/ping', port: 8080 });
    assert.deepEqual(component(result, 'shop').probe?.http, { path: '/health', port: 8000 });
    // Its own name as a host argument: the pod-local address.
    assert.deepEqual(component(result, 'pg').probe?.exec, [
      'sh',
      '-c',
      'pg_isready -h 127.0.0.1 -U postgres',
    ]);
    const db = difyLike().plan.components.find((c) => c.name === 'db-postgres')!;
    assert.deepEqual(db.probe?.exec, ['pg_isready', '-h', '127.0.0.1', '-U', 'postgres']);
    assert.ok(!JSON.stringify(result.plan.components.map((c) => c.probe)).match(/\b(proxy|shop|pg):/));
  });

  test('2. images that run as root get a uid, or a reasoned exception where root is needed', () => {
    const result = wiring();
    // Known images: their own non-root user.
    assert.equal(component(result, 'pg').runAsUser, 999);
    assert.equal(component(result, 'proxy').runAsUser, 101);
    // A root base image running a plain command: nobody.
    assert.equal(component(result, 'tools').runAsUser, 65534);
    // Declared root on an image berth knows nothing about: an exception that says why.
    const pricing = component(result, 'pricing');
    assert.equal(pricing.runAsUser, undefined);
    assert.equal(pricing.securityException?.runAsRoot, true);
    assert.match(pricing.securityException?.reason ?? '', /user: root/);
    // chown of a volume truly needs root and the file-owner capabilities.
    const fix = component(result, 'fixperms');
    assert.equal(fix.securityException?.runAsRoot, true);
    assert.deepEqual(fix.securityException?.addCapabilities, ['CHOWN', 'DAC_OVERRIDE', 'FOWNER']);
    assert.match(fix.securityException?.reason ?? '', /chown/);
    // An image berth cannot judge is reported, not silently assumed non-root.
    const report = result.files['REPORT.md'];
    assert.match(report, /## Users/);
    assert.match(report, /\| search \| .*unknown/);
    assert.match(report, /\| pricing \| .*root \(security exception\)/);
    assert.ok(!result.plan.unsupported.some((u) => u.key === 'user root'), 'decided, not just listed');
  });

  test('3. a service others call gets its port and a Service, even without ports:', () => {
    const result = wiring();
    assert.deepEqual(
      component(result, 'search').ports.map((p) => [p.containerPort, p.source]),
      [[7700, 'reference']],
      'SEARCH_HOST + SEARCH_PORT',
    );
    assert.deepEqual(
      component(result, 'pricing').ports.map((p) => [p.containerPort, p.source]),
      [[80, 'reference']],
      'http://pricing: the scheme default',
    );
    assert.deepEqual(component(result, 'tools').ports, [], 'nothing calls it: no Service, and that is fine');
    // A service called by name whose port cannot be found is an unsupported item, not a note.
    const dir = join(TMP, 'unported');
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 'docker-compose.yaml'),
      'services:\n  app:\n    image: a/app:1\n    environment:\n      BROKER_HOST: broker\n  broker:\n    image: a/broker:1\n',
    );
    const { plan } = importCompose({ file: join(dir, 'docker-compose.yaml'), name: 'u', environment: {} });
    assert.ok(
      plan.unsupported.some((u) => u.service === 'broker' && /called by app \(BROKER_HOST\)/.test(u.reason)),
      JSON.stringify(plan.unsupported),
    );
  });

  test('4. configuration files and configs become mounted ConfigMaps', () => {
    const result = wiring();
    const proxy = component(result, 'proxy');
    assert.deepEqual(
      proxy.files.map((f) => [f.mountPath, f.source, f.placeholder]),
      [
        ['/etc/nginx/nginx.conf', './nginx.conf', false],
        ['/etc/nginx/conf.d/extra.conf', './conf.d/extra.conf', true],
      ],
    );
    assert.match(proxy.files[0]!.content, /listen 8080;/);
    assert.match(proxy.files[0]!.content, /proxy_pass http:\/\/\{\{host:shop\}\}:8000;/);
    assert.ok(result.plan.notes.some((n) => n.includes('./conf.d/extra.conf') && n.includes('placeholder')));
    const shop = component(result, 'shop');
    assert.deepEqual(
      shop.files.map((f) => [f.mountPath, f.placeholder]),
      [
        ['/etc/shop/settings.toml', false],
        ['/banner', false],
      ],
    );
    assert.match(shop.files[0]!.content, /currency = "EUR"/);
    assert.equal(shop.files[1]!.content, 'Welcome to the shop.\n');
    assert.ok(!result.plan.unsupported.some((u) => u.key === 'configs'), 'configs are translated');
  });

  test('5. a setting whose value equals a password stays a setting', () => {
    const result = wiring();
    const shop = component(result, 'shop');
    assert.equal(shop.config.DB_USERNAME, 'postgres');
    assert.equal(shop.config.SHOP_MOTTO, 'pr1ce-admin', 'same value, different variable: a setting');
    assert.deepEqual(shop.secretEnv, { DB_PASSWORD: 'db-password', PRICING_ADMIN: 'admin-password' });
    assert.equal(
      shop.derivedEnv.DATABASE_URL,
      'postgres://postgres:$(DB_PASSWORD)@{{host:pg}}:5432/postgres',
      'only the password slot of the URL',
    );
    const pg = component(result, 'pg');
    assert.equal(pg.config.POSTGRES_USER, 'postgres');
    assert.deepEqual(pg.secretEnv, { POSTGRES_PASSWORD: 'db-password' });
    assert.deepEqual(pg.args, ['postgres', '-c', 'max_connections=50'], 'the command keeps its program');
    assert.deepEqual(component(result, 'pricing').secretEnv, { ADMIN_PASSWORD: 'admin-password' });
    const dify = difyLike().plan.components.find((c) => c.name === 'api')!;
    assert.equal(dify.config.DB_USERNAME, 'postgres');
  });

  test('host rewrite: host:port in URLs and lists, HOST/PORT pairs, plural HOSTS', () => {
    const shop = component(wiring(), 'shop');
    assert.equal(shop.config.DB_HOST, '{{host:pg}}');
    assert.equal(shop.config.SEARCH_HOST, '{{host:search}}');
    assert.equal(shop.config.SEARCH_HOSTS, '{{host:search}}');
    assert.equal(shop.config.UPSTREAMS, 'http://{{host:pricing}},http://{{host:proxy}}:8080');
    assert.equal(shop.config.PG_TCP, 'tcp({{host:pg}}:5432)');
  });

  test('the generated skeleton type-checks and renders the wiring', async () => {
    const result = wiring('../../../src');
    const dir = join(TMP, 'wiring');
    mkdirSync(dir, { recursive: true });
    for (const [file, content] of Object.entries(result.files)) writeFileSync(join(dir, file), content);
    writeFileSync(
      join(TMP, 'tsconfig.json'),
      JSON.stringify({ extends: '../../tsconfig.json', include: ['./**/*.ts'] }),
    );
    execFileSync(join(ROOT, 'node_modules/.bin/tsc'), ['-p', join(TMP, 'tsconfig.json')], { stdio: 'pipe' });
    const { blueprint } = (await import(join(dir, 'blueprint.ts'))) as { blueprint: Blueprint };
    const values = parse(readFileSync(join(dir, 'values.yaml'), 'utf8'));
    const rendered = await render(blueprint, values, {
      release: 'w',
      namespace: 'ns',
      secretValues: fixedSecrets,
    });
    assert.deepEqual(await schemaViolations(rendered.manifests.map((m) => m.object)), []);
    for (const service of ['search', 'pricing', 'pg', 'shop', 'proxy'])
      assert.ok(names(rendered, 'Service').includes(`Service/w-${service}`), service);
    assert.ok(!names(rendered, 'Service').includes('Service/w-tools'));
    const files = (find(rendered, 'ConfigMap', 'w-proxy-files') as any).data;
    assert.match(files['nginx.conf'], /proxy_pass http:\/\/w-shop\.ns\.svc:8000;/);
    const proxy = podSpec(find(rendered, 'Deployment', 'w-proxy'));
    assert.deepEqual(
      proxy.containers[0].volumeMounts.find((m: any) => m.mountPath === '/etc/nginx/nginx.conf'),
      { name: 'file-nginx-conf', mountPath: '/etc/nginx/nginx.conf', subPath: 'nginx.conf', readOnly: true },
    );
    assert.equal(proxy.securityContext.runAsUser, 101);
    const probe = podSpec(find(rendered, 'StatefulSet', 'w-pg')).containers[0].readinessProbe;
    assert.deepEqual(probe.exec.command, ['sh', '-c', 'pg_isready -h 127.0.0.1 -U postgres']);
    const shopConfig = (find(rendered, 'ConfigMap', 'w-shop') as any).data;
    assert.equal(shopConfig.DB_USERNAME, 'postgres');
    assert.equal(shopConfig.UPSTREAMS, 'http://w-pricing.ns.svc,http://w-proxy.ns.svc:8080');
  });
});
