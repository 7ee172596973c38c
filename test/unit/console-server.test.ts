/** The console server's gates (token, CSRF, read-only) and its redaction, over an in-memory backend. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ConsoleBackend } from '../../src/actions/console.ts';
import { CSRF_HEADER, consoleApp, TOKEN_COOKIE } from '../../src/console/server.ts';
import type { ReleaseRecord } from '../../src/release/record.ts';

const SECRET_VALUE = 's3cr3t-generated-value-42';
const API_KEY = 'sk-live-0123456789abcdef';

function record(revision: number, replicas: number): ReleaseRecord {
  return {
    release: 'app',
    namespace: 'team',
    revision,
    status: 'deployed',
    blueprint: { name: 'langfuse', version: '1.0.0', appVersion: '3.0.0' },
    berthVersion: '0.1.0',
    values: { services: { web: { replicas } } },
    manifests: [
      {
        stage: 'config',
        object: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'app-auth' } },
        secretKeys: ['password'],
        secretDigests: { password: `digest-${revision}` },
      },
      {
        stage: 'frontends',
        component: 'web',
        object: {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: { name: 'app-web' },
          spec: {
            replicas,
            template: {
              spec: {
                containers: [
                  {
                    name: 'web',
                    env: [
                      { name: 'OPENAI_API_KEY', value: API_KEY },
                      { name: 'PW', value: SECRET_VALUE },
                    ],
                  },
                ],
              },
            },
          },
        },
      },
    ],
    digest: '',
    description: 'install',
    notes: [],
    startedAt: '2026-01-01T00:00:00Z',
  };
}

function fakeBackend(calls: string[], allNamespaces = false): ConsoleBackend {
  const records = [record(1, 1), record(2, 2)];
  const unused = async (): Promise<never> => {
    throw new Error('not used here');
  };
  return {
    context: 'test',
    namespaces: ['team'],
    allNamespaces,
    listReleases: async () => ({ releases: [], notes: [] }),
    status: async () =>
      ({
        release: 'app',
        namespace: 'team',
        revision: 2,
        status: 'deployed',
        components: [],
        notes: [],
      }) as never,
    history: async () => [],
    record: async (_ns, _r, revision) => records[revision - 1],
    secretPatterns: async () => [SECRET_VALUE],
    blueprints: async () => [],
    blueprint: async (name) => ({ name }) as never,
    schema: async () => ({}),
    plan: async (_t, _b, values) => {
      calls.push(`plan ${JSON.stringify(values)}`);
      return { kind: 'Plan', changes: [], notes: [] } as never;
    },
    deploy: async (_t, request) => {
      calls.push(`deploy ${request.kind}`);
      return { release: 'app', revision: 3, status: 'deployed' } as never;
    },
    values: async () =>
      ({
        blueprint: { name: 'langfuse', version: '1.0.0' },
        release: { name: 'app', namespace: 'team', revision: 2 },
        notes: [],
        effective: {
          values: {},
          leaves: [
            { path: 'services.web.replicas', value: 2, origin: { kind: 'release', revision: 2 } },
            { path: 'auth.password', value: SECRET_VALUE, origin: { kind: 'release', revision: 2 } },
            { path: 'services.web.port', value: 3000, origin: { kind: 'default' } },
          ],
        },
      }) as never,
    owners: async () => ({
      release: 'app',
      namespace: 'team',
      revision: 2,
      skipped: [],
      objects: [
        {
          object: 'Secret/app-auth',
          ref: { apiVersion: 'v1', kind: 'Secret', name: 'app-auth', namespace: 'team' },
          recorded: true,
          claims: [
            { tool: 'berth', owner: 'team/app', evidence: 'app.kubernetes.io/managed-by=berth' },
            { tool: 'helm', owner: `team/${SECRET_VALUE}`, evidence: 'meta.helm.sh/release-name' },
          ],
          managers: [{ manager: 'kubectl-edit', kind: 'kubectl', operation: 'Update', fields: ['data'] }],
          contested: true,
        },
      ],
    }),
    preflight: unused,
    doctorBundle: unused,
    watch: () => undefined,
    diagnose: unused,
  };
}

const token = 'access-token-for-tests';
const csrf = 'csrf-token-for-tests';
const assets = { files: { '/': { type: 'text/html', body: '<html>console</html>' } } };

function app(readOnly = false, calls: string[] = []) {
  return consoleApp({ backend: fakeBackend(calls), token, csrf, readOnly, assets });
}

const cookie = { cookie: `${TOKEN_COOKIE}=${token}` };
const post = (headers: Record<string, string>, body: unknown) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', ...cookie, ...headers },
  body: JSON.stringify(body),
});

describe('console server', () => {
  test('refuses requests without the access token, and sets a cookie from the URL token', async () => {
    const server = app();
    assert.equal((await server.request('/api/session')).status, 401);
    assert.equal(
      (await server.request('/api/session', { headers: { cookie: `${TOKEN_COOKIE}=wrong` } })).status,
      401,
    );
    const first = await server.request(`/?token=${token}`);
    assert.equal(first.status, 200);
    assert.match(
      first.headers.get('set-cookie') ?? '',
      new RegExp(`${TOKEN_COOKIE}=${token}.*HttpOnly.*SameSite=Strict`, 'i'),
    );
    const session: any = await (await server.request('/api/session', { headers: cookie })).json();
    assert.equal(session.csrf, csrf);
  });

  test('pages load and talk to the console only, and no other site may frame them', async () => {
    const page = await app().request(`/?token=${token}`);
    const policy = page.headers.get('content-security-policy') ?? '';
    for (const directive of [
      "default-src 'self'",
      "connect-src 'self'",
      "object-src 'none'",
      "frame-ancestors 'none'",
    ])
      assert.ok(policy.split('; ').includes(directive), `${directive} in ${policy}`);
    assert.doesNotMatch(policy, /script-src[^;]*'unsafe-inline'/);
    assert.equal(page.headers.get('x-frame-options'), 'DENY');
  });

  test('refuses a write without the CSRF token, and every write when read-only', async () => {
    const calls: string[] = [];
    const body = { blueprint: 'langfuse', values: 'a: 1' };
    assert.equal(
      (await app(false, calls).request('/api/releases/team/app/upgrade', post({}, body))).status,
      403,
    );
    assert.equal(
      (
        await app(false, calls).request(
          '/api/releases/team/app/upgrade',
          post({ [CSRF_HEADER]: 'nope' }, body),
        )
      ).status,
      403,
    );
    const readOnly = app(true, calls);
    const refused = await readOnly.request(
      '/api/releases/team/app/upgrade',
      post({ [CSRF_HEADER]: csrf }, body),
    );
    assert.equal(refused.status, 403);
    assert.match(((await refused.json()) as any).error, /read-only/);
    assert.equal(
      (
        await readOnly.request(
          '/api/releases/team/app/rollback',
          post({ [CSRF_HEADER]: csrf }, { revision: 1 }),
        )
      ).status,
      403,
    );
    // A plan changes nothing: allowed read-only, with the CSRF token.
    assert.equal(
      (await readOnly.request('/api/releases/team/app/plan', post({ [CSRF_HEADER]: csrf }, body))).status,
      200,
    );
    assert.deepEqual(calls, ['plan {"a":1}']);
    const allowed = await app(false, calls).request(
      '/api/releases/team/app/upgrade',
      post({ [CSRF_HEADER]: csrf }, body),
    );
    assert.equal(allowed.status, 200);
    assert.match(await allowed.text(), /event: result/);
    assert.deepEqual(calls, ['plan {"a":1}', 'deploy upgrade']);
  });

  test('values that still hold a <redacted> marker are refused at their path', async () => {
    const response = await app().request(
      '/api/releases/team/app/plan',
      post({ [CSRF_HEADER]: csrf }, { blueprint: 'langfuse', values: 'auth:\n  password: <redacted>\n' }),
    );
    assert.equal(response.status, 400);
    const body: any = await response.json();
    assert.deepEqual(
      body.problems.map((p: { path: string }) => p.path),
      ['auth.password'],
    );
  });

  test('release pages and revision diffs carry no secret value', async () => {
    const server = app();
    const detail = await (await server.request('/api/releases/team/app', { headers: cookie })).text();
    const diff = await (
      await server.request('/api/releases/team/app/diff?from=1&to=2', { headers: cookie })
    ).text();
    for (const text of [detail, diff]) {
      assert.ok(!text.includes(SECRET_VALUE), 'generated secret value leaked');
      assert.ok(!text.includes(API_KEY), 'credential in env leaked');
      assert.ok(!text.includes('digest-'), 'secret digests leaked');
    }
    const parsed = JSON.parse(diff);
    assert.match(parsed.values, /-\s+replicas: 1\n\+\s+replicas: 2/);
    assert.deepEqual(parsed.objects.map((o: { object: string }) => o.object).sort(), [
      'Deployment/app-web',
      'Secret/app-auth',
    ]);
    assert.match(JSON.stringify(parsed.objects), /<redacted, changed>/);
    assert.equal(
      JSON.parse(detail).topology.components.find((c: { name: string }) => c.name === 'web').stage,
      'frontends',
    );
  });

  test('the values and ownership views need the token and carry no secret value', async () => {
    const server = app();
    for (const path of ['/api/releases/team/app/values', '/api/releases/team/app/owners'])
      assert.equal((await server.request(path)).status, 401, `${path} without the token`);
    const values = await (await server.request('/api/releases/team/app/values', { headers: cookie })).text();
    const owners = await (await server.request('/api/releases/team/app/owners', { headers: cookie })).text();
    for (const text of [values, owners]) assert.ok(!text.includes(SECRET_VALUE), 'secret value leaked');
    const layers = JSON.parse(values);
    assert.equal(layers.revision, 2);
    assert.deepEqual(
      layers.leaves.map((l: { path: string; layer: string }) => `${l.path} ${l.layer}`),
      ['services.web.replicas revision 2', 'auth.password revision 2', 'services.web.port default'],
    );
    const map = JSON.parse(owners);
    assert.equal(map.objects[0].contested, true);
    assert.deepEqual(
      map.objects[0].claims.map((c: { tool: string }) => c.tool),
      ['berth', 'helm'],
    );
  });

  test('a plan comes with its data-safety view, read from that same plan', async () => {
    const pvc = { apiVersion: 'v1', kind: 'PersistentVolumeClaim', name: 'data-app-db-0', namespace: 'team' };
    const backend: ConsoleBackend = {
      ...fakeBackend([]),
      plan: async () =>
        ({
          kind: 'Plan',
          changes: [
            { action: 'prune', object: `PersistentVolumeClaim/${pvc.name}`, ref: pvc, diff: '' },
            {
              action: 'change',
              object: 'Secret/app-auth',
              ref: { apiVersion: 'v1', kind: 'Secret', name: 'app-auth' },
              diff: '@@ -1,3 +1,3 @@\n data:\n-  password: <redacted>\n+  password: <redacted, changed>\n',
            },
          ],
          notes: [],
        }) as never,
    };
    const server = consoleApp({ backend, token, csrf, readOnly: false, assets });
    const response = await server.request(
      '/api/releases/team/app/plan',
      post({ [CSRF_HEADER]: csrf }, { blueprint: 'langfuse', values: 'a: 1' }),
    );
    assert.equal(response.status, 200);
    const { safety } = (await response.json()) as any;
    assert.equal(safety.safe, false);
    assert.deepEqual(
      safety.findings.map((f: { risk: string; object: string; fields: string[] }) =>
        [f.risk, f.object, ...f.fields].join(' '),
      ),
      ['deleted PersistentVolumeClaim/data-app-db-0', 'credentials Secret/app-auth password'],
    );
    const safe = await app().request(
      '/api/releases/team/app/plan',
      post({ [CSRF_HEADER]: csrf }, { blueprint: 'langfuse', values: 'a: 1' }),
    );
    assert.deepEqual(((await safe.json()) as any).safety, { findings: [], safe: true });
  });

  test('bad path parameters are one-line errors, unknown API paths 404', async () => {
    const server = app();
    const bad = await server.request('/api/releases/Not_A_Namespace/app', { headers: cookie });
    assert.equal(bad.status, 400);
    assert.match(((await bad.json()) as any).error, /--namespace "Not_A_Namespace"/);
    assert.equal((await server.request('/api/nothing', { headers: cookie })).status, 404);
    const selector = await server.request('/api/releases/team/app,x=y/history', { headers: cookie });
    assert.equal(selector.status, 400, 'a release name cannot widen a label selector');
    assert.equal(
      (await server.request('/api/releases/team/app/diff?from=x&to=2', { headers: cookie })).status,
      400,
    );
  });

  test('a console started with -n serves those namespaces only, reads and writes alike', async () => {
    const calls: string[] = [];
    const server = app(false, calls);
    const read = await server.request('/api/releases/kube-system/app/history', { headers: cookie });
    assert.equal(read.status, 403);
    assert.match(
      ((await read.json()) as any).error,
      /^namespace kube-system is not served by this console \(it serves team\); start berth console -n kube-system/,
    );
    const write = await server.request('/api/releases/kube-system/app/rollback', {
      method: 'POST',
      headers: { ...cookie, [CSRF_HEADER]: csrf, 'content-type': 'application/json' },
      body: JSON.stringify({ revision: 1 }),
    });
    assert.equal(write.status, 403);
    assert.deepEqual(calls, [], 'nothing reached the cluster');
    // Without -n, the credentials decide.
    const everywhere = consoleApp({ backend: fakeBackend([], true), token, csrf, readOnly: false, assets });
    assert.equal(
      (await everywhere.request('/api/releases/kube-system/app/history', { headers: cookie })).status,
      200,
    );
  });
});
