/**
 * The console's HTTP server (Hono): the page, its JSON API and the live streams. Every request
 * needs the access token (from the printed URL, then a cookie), every write the CSRF token, and
 * `readOnly` refuses writes. What leaves for a release is scrubbed of that release's secret values.
 */
import { timingSafeEqual } from 'node:crypto';
import type { Context, Next } from 'hono';
import { Hono } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { streamSSE } from 'hono/streaming';
import type { ConsoleBackend } from '../actions/console.ts';
import { BerthError, ExitCode, ValuesError } from '../errors.ts';
import { dataSafety } from '../inspect/data-safety.ts';
import { checkNamespace, checkReleaseName } from '../names.ts';
import { REDACTED, redactUrlPasswords, scrubKnownValues } from '../plan/redact.ts';
import type { DeployRequest } from '../release/engine.ts';
import type { ProgressEvent } from '../release/progress.ts';
import { isPlainObject } from '../values/merge.ts';
import { parseValuesText } from '../values/sources.ts';
import type { Assets } from './assets.ts';
import { followComponents } from './live.ts';
import type { BlueprintInfo } from './types.ts';
import { revisionDiff, revisionView, topologyOf, valuesLayersOf } from './views.ts';

export interface ConsoleOptions {
  readonly backend: ConsoleBackend;
  readonly token: string;
  readonly csrf: string;
  readonly readOnly: boolean;
  readonly assets: Assets;
  /** How long an upgrade or rollback started from the console may wait for readiness. */
  readonly deployTimeoutMs?: number;
}

export const TOKEN_COOKIE = 'berth_console';
export const CSRF_HEADER = 'x-berth-csrf';

/**
 * The page loads and talks to this server only, and no other site may frame it. `unsafe-eval`:
 * ajv compiles the blueprint's JSON Schema into a function in the browser; inline styles: the
 * editor and the layout set element styles.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'unsafe-eval'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "worker-src 'self' blob:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

function same(a: string | undefined, b: string): boolean {
  if (a === undefined || a.length !== b.length) return false;
  return timingSafeEqual(Buffer.from(a), Buffer.from(b));
}

function refuse(c: Context, status: 401 | 403, error: string) {
  return c.json({ error }, status);
}

interface Scope {
  readonly namespace: string;
  readonly release: string;
}

/** A namespace outside the ones a console started with `-n` serves: 403, like a forbidden read. */
class OutOfScope extends BerthError {
  readonly status = 403;
  constructor(namespace: string, served: readonly string[]) {
    super(
      'BERTH_CONSOLE_SCOPE',
      `namespace ${namespace} is not served by this console (it serves ${served.join(', ')}); start berth console -n ${namespace} for it`,
    );
  }
}

function scopeOf(c: Context, backend: ConsoleBackend): Scope {
  const release = c.req.param('release') ?? '';
  checkReleaseName(release);
  const namespace = checkNamespace(c.req.param('namespace') ?? '');
  if (!backend.allNamespaces && !backend.namespaces.includes(namespace))
    throw new OutOfScope(namespace, backend.namespaces);
  return { namespace, release };
}

/** Values sent back with a `<redacted>` marker would overwrite a credential with the marker itself. */
function redactedLeftovers(values: unknown, path = ''): string[] {
  if (values === REDACTED) return [path || '(root)'];
  if (Array.isArray(values)) return values.flatMap((v, i) => redactedLeftovers(v, `${path}[${i}]`));
  if (isPlainObject(values))
    return Object.entries(values).flatMap(([k, v]) => redactedLeftovers(v, path ? `${path}.${k}` : k));
  return [];
}

function valuesOf(body: unknown): Record<string, unknown> {
  const text = isPlainObject(body) && typeof body.values === 'string' ? body.values : '';
  const values = parseValuesText(text, 'values');
  const left = redactedLeftovers(values);
  if (left.length)
    throw new ValuesError(
      left.map((path) => ({ path, message: 'still <redacted>: type the value again, or remove the key' })),
    );
  return values;
}

function bodyField(body: unknown, field: string): unknown {
  return isPlainObject(body) ? body[field] : undefined;
}

function errorBody(error: unknown): { status: 400 | 403 | 404 | 500 | 502; body: Record<string, unknown> } {
  if (error instanceof ValuesError)
    return { status: 400, body: { error: error.message, problems: error.problems, hint: error.hint } };
  if (error instanceof BerthError) {
    const status =
      error.code === 'BERTH_RELEASE_NOT_FOUND'
        ? 404
        : (error as { status?: number }).status === 403
          ? 403
          : error.exitCode === ExitCode.userError
            ? 400
            : 502;
    const text = error.recovery ? `${error.message}\n${error.recovery}` : error.message;
    return { status, body: { error: redactUrlPasswords(text), hint: error.hint } };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { status: 500, body: { error: `internal error: ${redactUrlPasswords(message)}` } };
}

export function consoleApp(options: ConsoleOptions): Hono {
  const { backend, assets } = options;
  const app = new Hono();

  /** JSON for one release, with every live secret value of that release scrubbed from the text. */
  const releaseJson = async (c: Context, scope: Scope, data: unknown) => {
    const patterns = await backend.secretPatterns(scope.namespace, scope.release).catch(() => []);
    c.header('content-type', 'application/json; charset=utf-8');
    return c.body(scrubKnownValues(JSON.stringify(data), patterns).text);
  };

  app.onError((error, c) => {
    const { status, body } = errorBody(error);
    return c.json(body, status);
  });

  app.use('*', async (c: Context, next: Next) => {
    const given = c.req.query('token');
    if (same(given, options.token)) {
      setCookie(c, TOKEN_COOKIE, options.token, { httpOnly: true, sameSite: 'Strict', path: '/' });
    } else if (!same(getCookie(c, TOKEN_COOKIE), options.token)) {
      return refuse(c, 401, 'missing or wrong access token: open the URL berth console printed');
    }
    c.header('cache-control', 'no-store');
    c.header('x-content-type-options', 'nosniff');
    c.header('referrer-policy', 'no-referrer');
    c.header('content-security-policy', CONTENT_SECURITY_POLICY);
    c.header('x-frame-options', 'DENY');
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD' && !same(c.req.header(CSRF_HEADER), options.csrf))
      return refuse(c, 403, `missing or wrong CSRF token (${CSRF_HEADER} header)`);
    return next();
  });

  const write = async (c: Context, next: Next) =>
    options.readOnly ? refuse(c, 403, 'the console runs with --read-only: no changes allowed') : next();

  app.get('/api/session', (c) =>
    c.json({
      csrf: options.csrf,
      readOnly: options.readOnly,
      context: backend.context,
      namespaces: backend.namespaces,
    }),
  );

  app.get('/api/releases', async (c) => c.json(await backend.listReleases()));

  app.get('/api/blueprints', async (c) =>
    c.json(
      (await backend.blueprints()).map(
        (b): BlueprintInfo => ({
          name: b.name,
          version: b.version,
          appVersion: b.appVersion,
          description: b.description,
        }),
      ),
    ),
  );

  app.get('/api/blueprints/:name/schema', async (c) => c.json(await backend.schema(c.req.param('name'))));

  const release = '/api/releases/:namespace/:release';

  app.get(release, async (c) => {
    // ReleaseDetail (web/types.ts)
    const scope = scopeOf(c, backend);
    const status = await backend.status(scope.namespace, scope.release);
    const record = await backend.record(scope.namespace, scope.release, status.revision);
    if (!record) throw new BerthError('BERTH_RELEASE_NOT_FOUND', `release ${scope.release} has no records`);
    return releaseJson(c, scope, { status, topology: topologyOf(record), revision: revisionView(record) });
  });

  app.get(`${release}/live`, async (c) => {
    const scope = scopeOf(c, backend);
    const status = await backend.status(scope.namespace, scope.release);
    const record = await backend.record(scope.namespace, scope.release, status.revision);
    if (!record) throw new BerthError('BERTH_RELEASE_NOT_FOUND', `release ${scope.release} has no records`);
    const patterns = await backend.secretPatterns(scope.namespace, scope.release);
    return streamSSE(c, async (stream) => {
      const controller = new AbortController();
      stream.onAbort(() => controller.abort());
      followComponents(backend, scope.namespace, topologyOf(record), controller.signal, (update) => {
        void stream.writeSSE({
          event: 'component',
          data: scrubKnownValues(JSON.stringify(update), patterns).text,
        });
      });
      while (!controller.signal.aborted)
        await stream.sleep(15_000).then(() => stream.write(': keep-alive\n\n'));
    });
  });

  app.get(`${release}/history`, async (c) => {
    const scope = scopeOf(c, backend);
    return releaseJson(c, scope, await backend.history(scope.namespace, scope.release));
  });

  app.get(`${release}/diff`, async (c) => {
    const scope = scopeOf(c, backend);
    const revision = (name: string) => {
      const text = c.req.query(name) ?? '';
      if (!/^\d{1,9}$/.test(text))
        throw new BerthError('BERTH_FLAG_INVALID', `${name}: expected a revision number, got "${text}"`);
      return Number(text);
    };
    const [from, to] = await Promise.all(
      [revision('from'), revision('to')].map((r) => backend.record(scope.namespace, scope.release, r)),
    );
    if (!from || !to)
      throw new BerthError('BERTH_RELEASE_NOT_FOUND', `release ${scope.release}: no such revision`);
    const patterns = await backend.secretPatterns(scope.namespace, scope.release);
    return releaseJson(c, scope, revisionDiff(from, to, patterns));
  });

  app.get(`${release}/values`, async (c) => {
    const scope = scopeOf(c, backend);
    return releaseJson(c, scope, valuesLayersOf(await backend.values(scope.namespace, scope.release)));
  });

  app.get(`${release}/owners`, async (c) => {
    const scope = scopeOf(c, backend);
    return releaseJson(c, scope, await backend.owners(scope.namespace, scope.release));
  });

  app.get(`${release}/doctor`, async (c) => {
    const scope = scopeOf(c, backend);
    const bundle = await backend.doctorBundle(scope.namespace, scope.release);
    c.header('content-type', 'application/gzip');
    c.header('content-disposition', `attachment; filename="${bundle.name}"`);
    return c.body(new Uint8Array(bundle.bytes));
  });

  app.post(`${release}/plan`, async (c) => {
    const scope = scopeOf(c, backend);
    const body = await c.req.json();
    const blueprint = await backend.blueprint(String(bodyField(body, 'blueprint')));
    const planned = await backend.plan(scope, blueprint, valuesOf(body));
    // The data-safety view is read from this very plan, so it speaks of exactly what is applied.
    return releaseJson(c, scope, { ...planned, safety: dataSafety(planned) });
  });

  app.post(`${release}/preflight`, async (c) => {
    const scope = scopeOf(c, backend);
    const body = await c.req.json();
    const blueprint = await backend.blueprint(String(bodyField(body, 'blueprint')));
    return releaseJson(c, scope, await backend.preflight(scope, blueprint, valuesOf(body)));
  });

  /** Runs an install, upgrade or rollback, streaming its progress events and then the result. */
  const deployStream = (c: Context, scope: Scope, request: DeployRequest) =>
    streamSSE(c, async (stream) => {
      const patterns = await backend.secretPatterns(scope.namespace, scope.release).catch(() => []);
      const send = (event: string, data: unknown) =>
        stream.writeSSE({ event, data: scrubKnownValues(JSON.stringify(data), patterns).text });
      try {
        const result = await backend.deploy(
          scope,
          request,
          { timeoutMs: options.deployTimeoutMs ?? 600_000, atomic: false },
          (event: ProgressEvent) => void send('progress', event),
        );
        await send('result', result);
      } catch (error) {
        await send('failed', errorBody(error).body);
      }
    });

  app.post(`${release}/upgrade`, write, async (c) => {
    const scope = scopeOf(c, backend);
    const body = await c.req.json();
    const blueprint = await backend.blueprint(String(bodyField(body, 'blueprint')));
    const values = valuesOf(body);
    const install = bodyField(body, 'install') === true;
    return deployStream(c, scope, {
      kind: install ? 'install' : 'upgrade',
      blueprint,
      values,
      rotateSecrets: [],
    });
  });

  app.post(`${release}/rollback`, write, async (c) => {
    const scope = scopeOf(c, backend);
    const revision = bodyField(await c.req.json(), 'revision');
    if (!Number.isInteger(revision) || (revision as number) < 1)
      throw new BerthError('BERTH_FLAG_INVALID', 'revision: expected a revision number');
    return deployStream(c, scope, { kind: 'rollback', revision: revision as number });
  });

  app.all('/api/*', (c) => c.json({ error: `not found: ${c.req.method} ${c.req.path}` }, 404));
  // The page's own paths (/releases/…) are routed in the browser: every other GET gets the page.
  app.get('*', (c) => {
    const file = assets.files[c.req.path] ?? assets.files['/'];
    if (!file) return c.text(assets.missing ?? 'not found', 503);
    c.header('content-type', file.type);
    return c.body(file.body);
  });
  return app;
}
