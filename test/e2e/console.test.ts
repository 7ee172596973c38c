/**
 * berth console in a real browser: Debian's Chromium, headless, driven by playwright-core, against
 * the local control plane. A release installed by the CLI is watched, upgraded and rolled back from
 * the page; the gates (token, CSRF, read-only) are tried directly; every response body of the
 * session is searched for the release's generated secret values.
 * BERTH_CONSOLE_SCREENSHOTS=<dir> also saves screenshots of the main pages there (docs/images).
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { type Browser, chromium, type Page } from 'playwright-core';
import { BERTH_BIN } from '../support/cli.ts';
import { berth } from './support/berth.ts';
import { e2eEnv, kubectl, kubectlJson, waitFor, withNamespace } from './support/cluster.ts';

const CHROMIUM = process.env.BERTH_CHROMIUM ?? '/usr/bin/chromium';
const SHOTS = process.env.BERTH_CONSOLE_SCREENSHOTS;
const ASSETS = new URL('../../dist/console/app.js', import.meta.url);

interface RunningConsole {
  readonly url: string;
  readonly origin: string;
  readonly token: string;
  readonly child: ChildProcess;
}

/** Starts `berth console` on a free port and reads the URL it prints. */
function startConsole(args: readonly string[]): Promise<RunningConsole> {
  return new Promise((resolve, reject) => {
    const child = spawn(BERTH_BIN, ['console', '--port', '0', '--no-open', ...args], {
      env: { ...process.env, KUBECONFIG: e2eEnv().kubeconfig },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /(http:\/\/127\.0\.0\.1:\d+)\/\?token=([\w-]+)/.exec(output);
      if (match) resolve({ url: match[0], origin: match[1]!, token: match[2]!, child });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', reject);
    child.on('close', (code) => reject(new Error(`berth console exited ${code}:\n${output}`)));
  });
}

/** Every value of the release's Secrets long enough to be recognised (what must never be sent). */
async function secretValues(namespace: string): Promise<string[]> {
  const list = await kubectlJson<{ items: { data?: Record<string, string> }[] }>([
    'get',
    'secrets',
    '-n',
    namespace,
    '-l',
    'app.kubernetes.io/instance=r',
  ]);
  return list.items
    .flatMap((s) => Object.values(s.data ?? {}))
    .map((v) => Buffer.from(v, 'base64').toString())
    .filter((v) => v.length >= 12);
}

async function shot(page: Page, name: string): Promise<void> {
  if (!SHOTS) return;
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

describe('berth console in Chromium', () => {
  let browser: Browser;
  const consoles: RunningConsole[] = [];

  before(async () => {
    assert.ok(
      existsSync(ASSETS),
      'the console front end is not built: npm run build:console (scripts/test.sh does)',
    );
    assert.ok(
      existsSync(CHROMIUM),
      `no Chromium at ${CHROMIUM}: apt-get install -y chromium (scripts/test.sh does)`,
    );
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-dev-shm-usage'],
    });
  });
  after(async () => {
    await browser?.close();
    for (const c of consoles) c.child.kill('SIGTERM');
  });

  test('see, watch, upgrade and roll back a release installed by the CLI; no secret reaches the browser', async (t) => {
    const ns = await withNamespace(t, 'console');
    const install = await berth(['install', 'r', 'model-router', '-n', ns]);
    assert.equal(install.code, 0, install.stderr);
    const secrets = await secretValues(ns);
    assert.ok(secrets.length > 0, 'the release has generated secret values to look for');

    const running = await startConsole(['-n', ns]);
    consoles.push(running);
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const page = await context.newPage();
    page.setDefaultTimeout(60_000);
    const bodies: Promise<string>[] = [];
    page.on('response', (response) => {
      if (!(response.headers()['content-type'] ?? '').includes('event-stream'))
        bodies.push(response.text().catch(() => ''));
    });
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    // The console's Content-Security-Policy must not block the console itself.
    page.on('console', (message) => {
      if (message.type() === 'error' && /Content Security Policy/i.test(message.text()))
        pageErrors.push(message.text());
    });

    // The list shows the release the CLI installed.
    await page.goto(running.url);
    const row = page.getByTestId(`release-${ns}-r`);
    await row.waitFor();
    assert.match(await row.innerText(), /deployed\s+1\s+model-router-0\.1\.0\s+2\.8\.3/);
    await shot(page, 'console-releases');

    // The release page: the router turns ready, then a broken rollout makes it wait, then ready again.
    await row.getByRole('link', { name: 'r' }).click();
    const router = page.getByTestId('component-router');
    await waitFor(async () => (await router.getAttribute('data-state')) === 'ready', {
      timeoutMs: 60_000,
      what: 'router ready in the topology',
    });
    await kubectl([
      'patch',
      'deployment',
      'r-router',
      '-n',
      ns,
      '-p',
      '{"spec":{"template":{"spec":{"nodeSelector":{"berth.dev/nowhere":"true"}}}}}',
    ]);
    await waitFor(async () => (await router.getAttribute('data-state')) === 'progressing', {
      timeoutMs: 60_000,
      what: 'router waiting after a rollout that cannot schedule',
    });
    await page
      .getByTestId('problems-router')
      .getByText(/Unschedulable|FailedScheduling/)
      .first()
      .waitFor();
    await shot(page, 'console-release');
    await kubectl(['rollout', 'undo', 'deployment/r-router', '-n', ns]);
    await waitFor(async () => (await router.getAttribute('data-state')) === 'ready', {
      timeoutMs: 60_000,
      what: 'router ready again after the undo',
    });

    // The ownership map: berth claims the Deployment, and a hand edit contests it.
    await kubectl(['annotate', 'deployment', 'r-router', '-n', ns, 'team.example/owner=ops']);
    await page.getByRole('link', { name: 'Ownership' }).click();
    const owned = page.getByTestId('owner-Deployment/r-router');
    await owned.waitFor();
    const ownedText = await owned.innerText();
    assert.match(ownedText, /berth\s+r\b/);
    assert.match(ownedText, /kubectl-annotate\s+kubectl, Update: metadata\.annotations/);
    assert.match(ownedText, /contested/);
    assert.match(
      await page.getByTestId('owners-summary').innerText(),
      /[1-9]\d* objects, [1-9]\d* contested/,
    );
    await shot(page, 'console-owners');
    await page.getByRole('link', { name: 'r', exact: true }).first().click();

    // Upgrade: a schema error at its path, fixed; the plan; the apply with live progress.
    await page.getByRole('link', { name: 'Upgrade' }).click();
    const values = page.getByTestId('values-editor');
    const editor = values.locator('.cm-content');
    const errors = page.getByTestId('schema-errors');
    await errors.waitFor();
    await editor.fill('services:\n  router:\n    replicas: two\n');
    await errors.getByText(/values services\.router\.replicas: /).waitFor();
    assert.equal(await page.getByTestId('show-plan').isDisabled(), true);
    // The error is marked in the text too: the bad value underlined on its line, a marker in the
    // gutter, the same message on hover.
    const marks = values.locator('.cm-lintRange-error');
    await marks.first().waitFor();
    assert.deepEqual(await marks.allTextContents(), ['two']);
    const markedLine = values.locator('.cm-line', { has: page.locator('.cm-lintRange-error') });
    assert.equal(await markedLine.textContent(), '    replicas: two');
    assert.equal(await values.locator('.cm-lint-marker-error').count(), 1);
    await marks.hover();
    await page
      .locator('.cm-tooltip-lint')
      .getByText('values services.router.replicas: must be integer', { exact: true })
      .waitFor();
    await shot(page, 'console-values-error');
    // From the keyboard: F8 selects the next problem.
    await editor.press('Control+Home');
    await editor.press('F8');
    assert.equal(await page.evaluate('String(document.getSelection())'), 'two');
    await editor.fill('services:\n  router:\n    replicas: 2\n');
    await errors.getByText('values match the model-router schema').waitFor();
    assert.equal(await marks.count(), 0);
    await page.getByTestId('show-plan').click();
    await page
      .getByTestId('plan-summary')
      .getByText(/[1-9]\d* to change/)
      .waitFor();
    assert.match(await page.getByTestId('plan-diff').innerText(), /replicas: 2/);
    // More replicas destroy nothing: the data-safety view says so, and apply needs no extra consent.
    await page.getByTestId('data-safety').getByText('Nothing is deleted, replaced or re-keyed.').waitFor();
    assert.equal(await page.getByTestId('accept-data-loss').count(), 0);
    await shot(page, 'console-plan');
    await page.getByTestId('apply').click();
    await page
      .getByTestId('outcome')
      .getByText('release r deployed at revision 2')
      .waitFor({ timeout: 300_000 });
    assert.match(await page.getByTestId('progress').innerText(), /\[frontends\]|\[backends\]/);
    const deployment = await kubectlJson<{ spec: { replicas: number } }>([
      'get',
      'deployment',
      'r-router',
      '-n',
      ns,
    ]);
    assert.equal(deployment.spec.replicas, 2);

    // The effective values of revision 2: the edited leaf from that revision, the rest defaults.
    await page.goto(`${running.origin}/releases/${ns}/r/values`);
    assert.match(
      await page.getByTestId('value-services.router.replicas').innerText(),
      /services\.router\.replicas\s+2\s+revision 2/,
    );
    assert.match(await page.getByTestId('values-layers').innerText(), /\tdefault\b/);
    await shot(page, 'console-values');

    // History: the diff between the two revisions, then a rollback after a confirmation.
    await page.goto(`${running.origin}/releases/${ns}/r/history`);
    await page.getByTestId('revision-2').waitFor();
    await page
      .getByTestId('values-diff')
      .getByText(/replicas: 2/)
      .first()
      .waitFor();
    await shot(page, 'console-history');
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByTestId('rollback-1').click();
    await page
      .getByTestId('outcome')
      .getByText('release r deployed at revision 3')
      .waitFor({ timeout: 300_000 });
    await page.getByTestId('revision-3').waitFor();
    const rolledBack = await kubectlJson<{ spec: { replicas: number } }>([
      'get',
      'deployment',
      'r-router',
      '-n',
      ns,
    ]);
    assert.equal(rolledBack.spec.replicas, 1);
    const status = JSON.parse((await berth(['status', 'r', '-n', ns, '-o', 'json'])).stdout);
    assert.equal(status.revision, 3);

    // Preflight on the release page, and the doctor bundle (redacted like berth doctor's).
    await page.getByRole('link', { name: 'r', exact: true }).first().click();
    await page.getByTestId('run-preflight').click();
    assert.match(await page.getByTestId('preflight').innerText(), /pass\s+Kubernetes version/i);
    const bundle = await context.request.get(`${running.origin}/api/releases/${ns}/r/doctor`);
    assert.equal(bundle.status(), 200);
    assert.match(
      bundle.headers()['content-disposition'] ?? '',
      /attachment; filename="berth-doctor-r-\d+T\d+Z\.tar\.gz"/,
    );
    const unpacked = gunzipSync(await bundle.body()).toString('latin1');
    assert.match(unpacked, /REPORT\.md/);
    bodies.push(Promise.resolve(unpacked));

    // The live stream too: read it for a moment with the page's cookie.
    const cookie = (await context.cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
    const live = await fetch(`${running.origin}/api/releases/${ns}/r/live`, {
      headers: { cookie },
      signal: AbortSignal.timeout(5_000),
    });
    let streamed = '';
    try {
      for await (const chunk of live.body!) streamed += Buffer.from(chunk).toString();
    } catch {
      // the time-out ends the endless stream
    }
    assert.match(streamed, /event: component/);

    const seen = [...(await Promise.all(bodies)), streamed];
    assert.ok(seen.length > 10, `scanned ${seen.length} responses`);
    for (const value of secrets)
      for (const body of seen)
        assert.ok(!body.includes(value), 'a generated secret value reached the browser');
    assert.deepEqual(pageErrors, []);
    await context.close();
  });

  test('the install wizard installs langfuse; its topology draws the dependencies', async (t) => {
    const ns = await withNamespace(t, 'console-install');
    const running = await startConsole(['-n', ns]);
    consoles.push(running);
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const page = await context.newPage();
    page.setDefaultTimeout(60_000);
    await page.goto(running.url);
    await page.getByRole('link', { name: 'Install' }).click();
    // The namespace field starts with the console's namespace, once the session is read.
    await waitFor(async () => (await page.getByTestId('install-namespace').inputValue()) === ns, {
      what: 'the namespace filled in',
    });
    await page.getByTestId('install-release').fill('w');
    await page.getByTestId('install-blueprint').selectOption('langfuse');
    await page.getByRole('button', { name: 'Next: values' }).click();
    await page.getByTestId('schema-errors').getByText('values match the langfuse schema').waitFor();
    await page.getByTestId('show-plan').click();
    await page
      .getByTestId('plan-summary')
      .getByText(/^[1-9]\d* to create, 0 to change/)
      .waitFor();
    await shot(page, 'console-install');
    await page.getByTestId('apply').click();
    await page
      .getByTestId('outcome')
      .getByText('release w deployed at revision 1')
      .waitFor({ timeout: 300_000 });
    const status = JSON.parse((await berth(['status', 'w', '-n', ns, '-o', 'json'])).stdout);
    assert.equal(status.ready, true);
    await page.goto(running.origin);
    await page.getByTestId(`release-${ns}-w`).getByRole('link', { name: 'w' }).click();
    for (const component of ['web', 'worker', 'postgresql', 'clickhouse'])
      await waitFor(
        async () => (await page.getByTestId(`component-${component}`).getAttribute('data-state')) === 'ready',
        {
          timeoutMs: 60_000,
          what: `${component} ready in the topology`,
        },
      );
    // web and worker call PostgreSQL, Redis, ClickHouse and MinIO: an arrow each at least.
    assert.ok((await page.locator('svg.topology polyline.edge').count()) >= 8);
    await shot(page, 'console-topology');

    // A smaller PostgreSQL volume cannot be applied in place: the data-safety view says why, and the
    // apply button waits for an explicit consent.
    await page.getByRole('link', { name: 'Upgrade' }).click();
    await page
      .getByTestId('values-editor')
      .locator('.cm-content')
      .fill('dependencies:\n  postgresql:\n    persistence:\n      size: 10Gi\n');
    await page.getByTestId('schema-errors').getByText('values match the langfuse schema').waitFor();
    await page.getByTestId('show-plan').click();
    const safety = page.getByTestId('data-safety');
    await safety.getByText(/destroys or changes data/).waitFor();
    assert.match(
      await safety.innerText(),
      /re-created\s+StatefulSet\/w-postgresql\s+.*(volumeClaimTemplates|refuses to update it in place)/,
    );
    assert.equal(await page.getByTestId('apply').isDisabled(), true);
    await page.getByTestId('accept-data-loss').check();
    assert.equal(await page.getByTestId('apply').isDisabled(), false);
    await context.close();
  });

  test('refuses requests without the token, writes without CSRF, and every write when read-only', async (t) => {
    const ns = await withNamespace(t, 'console-gates');
    const writable = await startConsole(['-n', ns]);
    const readOnly = await startConsole(['-n', ns, '--read-only']);
    consoles.push(writable, readOnly);

    assert.equal((await fetch(`${writable.origin}/api/releases`)).status, 401);
    assert.equal((await fetch(`${writable.origin}/`)).status, 401);
    assert.equal((await fetch(`${writable.origin}/?token=wrong`)).status, 401);

    const session = async (c: RunningConsole) => {
      const response = await fetch(`${c.origin}/api/session?token=${c.token}`);
      assert.equal(response.status, 200);
      return (await response.json()) as { csrf: string };
    };
    const upgrade = (c: RunningConsole, csrf?: string) =>
      fetch(`${c.origin}/api/releases/${ns}/r/upgrade?token=${c.token}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(csrf ? { 'x-berth-csrf': csrf } : {}) },
        body: JSON.stringify({ blueprint: 'model-router', values: '' }),
      });
    assert.equal((await upgrade(writable)).status, 403);
    assert.equal((await upgrade(writable, 'forged')).status, 403);
    const refused = await upgrade(readOnly, (await session(readOnly)).csrf);
    assert.equal(refused.status, 403);
    assert.match(((await refused.json()) as { error: string }).error, /read-only/);
    const list = await kubectl(['get', 'secrets', '-n', ns, '-o', 'name']);
    assert.doesNotMatch(list.stdout, /berth\.r\./, 'nothing was installed');
  });
});
