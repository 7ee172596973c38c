import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ExitCode } from '../../src/errors.ts';
import { KubeClient } from '../../src/kube/client.ts';
import {
  type ApiStatus,
  ApplyConflictError,
  KubeApiError,
  KubeConnectionError,
  KubeconfigError,
  KubeUnknownKindError,
} from '../../src/kube/errors.ts';
import { backoffDelay, defaultRetryPolicy, type RetryPolicy, withRetries } from '../../src/kube/retry.ts';
import { RolloutError } from '../../src/kube/rollout-error.ts';
import {
  apiErrorFromStatus,
  HttpStatusError,
  isRetryable,
  parseConflicts,
  parseRetryAfter,
} from '../../src/kube/status.ts';

const context = {
  verb: 'apply',
  target: { kind: 'Deployment', name: 'web', namespace: 'shop' },
  server: 'https://k8s',
} as const;

function statusError(code: number, status: ApiStatus, retryAfterMs?: number): HttpStatusError {
  return new HttpStatusError(code, { kind: 'Status', status: 'Failure', code, ...status }, retryAfterMs);
}

const conflictStatus: ApiStatus = {
  message: 'Apply failed with 2 conflicts: conflicts with "kubectl-edit" using apps/v1:\n- .spec.replicas',
  reason: 'Conflict',
  details: {
    name: 'web',
    group: 'apps',
    kind: 'deployments',
    causes: [
      {
        type: 'FieldManagerConflict',
        message: 'conflict with "kubectl-edit" using apps/v1',
        field: '.spec.replicas',
      },
      {
        type: 'FieldManagerConflict',
        message:
          'conflict with "hpa-\\"controller\\"" with subresource "scale" using autoscaling/v1 at 2026-01-01T00:00:00Z',
        field: '.spec.template.spec.containers[name="web"].image',
      },
    ],
  },
};

describe('Status → typed errors', () => {
  test('an Invalid status names verb, object, server message and reason', () => {
    const err = apiErrorFromStatus(
      statusError(422, {
        reason: 'Invalid',
        message:
          'Deployment.apps "web" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0',
        details: {
          causes: [{ type: 'FieldValueInvalid', field: 'spec.replicas', message: 'Invalid value: -1' }],
        },
      }),
      { ...context, verb: 'apply' },
    );
    assert.ok(err instanceof KubeApiError);
    assert.equal(
      err.message,
      'apply Deployment/web in shop: API server says: Deployment.apps "web" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0 (reason: Invalid)',
    );
    assert.equal(err.code, 'BERTH_KUBE_INVALID');
    assert.equal(err.exitCode, ExitCode.userError);
    assert.equal(err.status, 422);
    assert.equal(err.reason, 'Invalid');
    assert.equal(err.causes[0]?.field, 'spec.replicas');
  });
  test('Forbidden is the user’s to fix and says how to check', () => {
    const err = apiErrorFromStatus(
      statusError(403, {
        reason: 'Forbidden',
        message: 'deployments.apps "web" is forbidden: User "dev" cannot patch resource "deployments"',
      }),
      context,
    );
    assert.equal(err.code, 'BERTH_KUBE_FORBIDDEN');
    assert.equal(err.exitCode, ExitCode.userError);
    assert.match(err.hint ?? '', /kubectl auth can-i -n shop/);
  });
  test('a missing namespace gets a hint', () => {
    const err = apiErrorFromStatus(
      statusError(404, { reason: 'NotFound', message: 'namespaces "shop" not found' }),
      context,
    );
    assert.equal(err.hint, 'create the namespace shop first');
  });
  test('server errors are runtime errors; a body that is no Status is never quoted', () => {
    const err = apiErrorFromStatus(new HttpStatusError(502, undefined, undefined), {
      ...context,
      verb: 'get',
    });
    assert.equal(err.message, 'get Deployment/web in shop: API server says: HTTP 502 Bad Gateway');
    assert.equal(err.exitCode, ExitCode.runtime);
  });
  test('a 409 on apply becomes an ApplyConflictError listing field and manager', () => {
    const err = apiErrorFromStatus(statusError(409, conflictStatus), context);
    assert.ok(err instanceof ApplyConflictError);
    assert.equal(err.code, 'BERTH_APPLY_CONFLICT');
    assert.equal(err.exitCode, ExitCode.userError);
    assert.equal(
      err.message,
      [
        'apply Deployment/web in shop: 2 fields are owned by another manager:',
        '  conflict on .spec.replicas with manager kubectl-edit',
        '  conflict on .spec.template.spec.containers[name="web"].image with manager hpa-"controller"',
      ].join('\n'),
    );
  });
  test('a 409 without field conflicts stays a plain KubeApiError', () => {
    const err = apiErrorFromStatus(
      statusError(409, {
        reason: 'Conflict',
        message: 'Operation cannot be fulfilled: the object has been modified',
      }),
      context,
    );
    assert.ok(!(err instanceof ApplyConflictError));
    assert.equal(err.code, 'BERTH_KUBE_CONFLICT');
    assert.equal(err.status, 409);
  });
  test('plain HTTP to an HTTPS port (400 without a Status) names the server and says it speaks HTTPS', () => {
    const plain = { ...context, verb: 'list', server: 'http://k8s:6443' } as const;
    const err = apiErrorFromStatus(new HttpStatusError(400, undefined, undefined), plain);
    assert.equal(
      err.message,
      'list Deployment/web in shop: the API server at http://k8s:6443 speaks HTTPS, not plain HTTP',
    );
    assert.equal(err.exitCode, ExitCode.runtime);
    // Over https a 400 is the server judging the object, as before.
    assert.equal(
      apiErrorFromStatus(new HttpStatusError(400, undefined, undefined), context).code,
      'BERTH_KUBE_INVALID',
    );
  });
  test('rejected credentials (401) name the server', () => {
    const err = apiErrorFromStatus(
      statusError(401, { reason: 'Unauthorized', message: 'Unauthorized' }),
      context,
    );
    assert.equal(err.code, 'BERTH_KUBE_UNAUTHORIZED');
    assert.equal(
      err.message,
      "apply Deployment/web in shop: the API server at https://k8s rejected the kubeconfig's credentials (Unauthorized)",
    );
    assert.equal(err.exitCode, ExitCode.userError);
  });
});

describe('kubeconfig TLS settings are checked before connecting', () => {
  let dir: string;
  const pem: Record<string, string> = {};
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'berth-kubeconfig-tls-'));
    const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1'];
    for (const name of ['one', 'two']) {
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          ...ec,
          '-subj',
          `/CN=${name}`,
          '-keyout',
          join(dir, `${name}.key`),
          '-out',
          join(dir, `${name}.crt`),
        ],
        { stdio: 'ignore' },
      );
      pem[`${name}.crt`] = readFileSync(join(dir, `${name}.crt`)).toString('base64');
      pem[`${name}.key`] = readFileSync(join(dir, `${name}.key`)).toString('base64');
    }
  });
  after(() => rm(dir, { recursive: true, force: true }));

  async function load(cluster: Record<string, unknown>, user: Record<string, unknown>): Promise<unknown> {
    const file = join(dir, 'config.yaml');
    const config = {
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'c', cluster: { server: 'https://k8s:6443', ...cluster } }],
      users: [{ name: 'u', user }],
      contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
      'current-context': 'x',
    };
    await writeFile(file, JSON.stringify(config));
    try {
      return KubeClient.fromKubeconfig({ kubeconfig: file });
    } catch (err) {
      return err;
    }
  }

  test('a client key that belongs to another certificate is refused, naming the server', async () => {
    const err = await load(
      {},
      { 'client-certificate-data': pem['one.crt'], 'client-key-data': pem['two.key'] },
    );
    assert.ok(err instanceof KubeconfigError);
    assert.match(
      err.message,
      /\(API server https:\/\/k8s:6443\): the client key does not match its certificate$/,
    );
    assert.equal(err.exitCode, ExitCode.userError);
    assert.ok(
      (await load(
        {},
        { 'client-certificate-data': pem['one.crt'], 'client-key-data': pem['one.key'] },
      )) instanceof KubeClient,
    );
  });
  test('a client key that is not PEM is refused', async () => {
    const err = await load(
      {},
      {
        'client-certificate-data': pem['one.crt'],
        'client-key-data': Buffer.from('nope').toString('base64'),
      },
    );
    assert.ok(err instanceof KubeconfigError);
    assert.match(err.message, /the client certificate or key is not valid PEM/);
  });
  test('insecure-skip-tls-verify next to a certificate-authority is refused; alone it is accepted', async () => {
    const err = await load(
      { 'insecure-skip-tls-verify': true, 'certificate-authority-data': pem['one.crt'] },
      {},
    );
    assert.ok(err instanceof KubeconfigError);
    assert.match(err.message, /insecure-skip-tls-verify is set together with a certificate-authority/);
    assert.ok((await load({ 'insecure-skip-tls-verify': true }, {})) instanceof KubeClient);
  });
});

describe('parseConflicts', () => {
  test('reads manager, field and the rest of the description', () => {
    assert.deepEqual(parseConflicts(conflictStatus), [
      { field: '.spec.replicas', manager: 'kubectl-edit', detail: 'using apps/v1' },
      {
        field: '.spec.template.spec.containers[name="web"].image',
        manager: 'hpa-"controller"',
        detail: 'with subresource "scale" using autoscaling/v1 at 2026-01-01T00:00:00Z',
      },
    ]);
  });
  test('an applier without an operation has no detail; other causes are ignored', () => {
    assert.deepEqual(
      parseConflicts({
        details: {
          causes: [
            { type: 'FieldManagerConflict', message: 'conflict with "helm"', field: '.data.key' },
            { type: 'FieldValueInvalid', message: 'whatever', field: '.x' },
          ],
        },
      }),
      [{ field: '.data.key', manager: 'helm' }],
    );
    assert.deepEqual(parseConflicts(undefined), []);
  });
});

describe('retry policy', () => {
  const recorder = () => {
    const sleeps: number[] = [];
    const policy: RetryPolicy = {
      ...defaultRetryPolicy,
      random: () => 0.5,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
    };
    return { sleeps, policy };
  };
  test('retryable: throttling, gateway errors, dropped connections; not client errors', () => {
    for (const code of [429, 500, 502, 503, 504])
      assert.ok(isRetryable(new HttpStatusError(code, undefined, undefined)));
    for (const code of [400, 403, 404, 409, 422, 501])
      assert.ok(!isRetryable(new HttpStatusError(code, undefined, undefined)));
    const refused = new TypeError('fetch failed', {
      cause: Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }),
    });
    assert.ok(isRetryable(refused));
    assert.ok(isRetryable(new Error('socket hang up')));
    assert.ok(!isRetryable(new Error('something else')));
  });
  test('exponential backoff with equal jitter, capped', () => {
    const { policy } = recorder();
    const transient = new HttpStatusError(503, undefined, undefined);
    assert.deepEqual(
      [1, 2, 3, 4, 5].map((attempt) => backoffDelay(policy, attempt, transient)),
      [150, 300, 600, 1200, 1500],
    );
    const low = { ...policy, random: () => 0 };
    const high = { ...policy, random: () => 0.999 };
    assert.equal(backoffDelay(low, 2, transient), 200);
    assert.ok(backoffDelay(high, 2, transient) <= 400);
  });
  test('Retry-After wins, up to the cap', () => {
    const { policy } = recorder();
    assert.equal(backoffDelay(policy, 1, new HttpStatusError(429, undefined, 1000)), 1000);
    assert.equal(backoffDelay(policy, 1, new HttpStatusError(429, undefined, 60_000)), 2000);
    assert.equal(parseRetryAfter('3'), 3000);
    assert.equal(
      parseRetryAfter('Thu, 01 Jan 2026 00:00:10 GMT', Date.parse('2026-01-01T00:00:00Z')),
      10_000,
    );
    assert.equal(parseRetryAfter(undefined), undefined);
  });
  test('gives up after maxAttempts and rethrows the last error', async () => {
    const { sleeps, policy } = recorder();
    let calls = 0;
    await assert.rejects(
      withRetries(async () => {
        calls++;
        throw new HttpStatusError(503, undefined, undefined);
      }, policy),
      (err: unknown) => err instanceof HttpStatusError && err.status === 503,
    );
    assert.equal(calls, 5);
    assert.deepEqual(sleeps, [150, 300, 600, 1200]);
  });
  test('does not retry what cannot succeed', async () => {
    const { sleeps, policy } = recorder();
    let calls = 0;
    await assert.rejects(
      withRetries(async () => {
        calls++;
        throw new HttpStatusError(422, undefined, undefined);
      }, policy),
    );
    assert.equal(calls, 1);
    assert.deepEqual(sleeps, []);
  });
});

/** A tiny API server on 127.0.0.1: discovery plus whatever each test scripts. */
interface Recorded {
  method: string;
  url: URL;
  headers: IncomingMessage['headers'];
  body: string;
}
type Handler = (req: Recorded, res: ServerResponse) => void;

const discovery: Record<string, object> = {
  '/api/v1': {
    kind: 'APIResourceList',
    groupVersion: 'v1',
    resources: [
      { name: 'configmaps', namespaced: true, kind: 'ConfigMap', verbs: ['get'] },
      { name: 'namespaces', namespaced: false, kind: 'Namespace', verbs: ['get'] },
    ],
  },
  '/apis/apps/v1': {
    kind: 'APIResourceList',
    groupVersion: 'apps/v1',
    resources: [
      { name: 'deployments', namespaced: true, kind: 'Deployment', verbs: ['get', 'patch'] },
      { name: 'deployments/scale', namespaced: true, kind: 'Scale', verbs: ['get'] },
    ],
  },
};

function sendJson(
  res: ServerResponse,
  code: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(code, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

function sendStatus(
  res: ServerResponse,
  code: number,
  status: ApiStatus,
  headers: Record<string, string> = {},
): void {
  sendJson(res, code, { kind: 'Status', apiVersion: 'v1', status: 'Failure', code, ...status }, headers);
}

describe('KubeClient against a local HTTP server', () => {
  let server: Server;
  let dir: string;
  let kubeconfig: string;
  let handler: Handler = (_req, res) => sendStatus(res, 500, { message: 'no handler' });
  const requests: Recorded[] = [];
  const sleeps: number[] = [];
  const retry = {
    random: () => 0.5,
    sleep: async (ms: number) => {
      sleeps.push(ms);
    },
  };

  const client = () => KubeClient.fromKubeconfig({ kubeconfig, retry });
  const reset = (next: Handler) => {
    requests.length = 0;
    sleeps.length = 0;
    handler = next;
  };
  const deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'shop' },
    spec: { replicas: 2, fieldTheClientModelDoesNotKnow: { kept: true } },
  };

  before(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      req.on('end', () => {
        const url = new URL(req.url ?? '/', 'http://127.0.0.1');
        const found = discovery[url.pathname];
        if (req.method === 'GET' && found) return sendJson(res, 200, found);
        if (req.method === 'GET' && url.pathname === '/apis/example.com/v1') {
          return sendStatus(res, 404, {
            reason: 'NotFound',
            message: 'the server could not find the requested resource',
          });
        }
        const recorded = { method: req.method ?? '', url, headers: req.headers, body };
        requests.push(recorded);
        handler(recorded, res);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    dir = await mkdtemp(join(tmpdir(), 'berth-kube-errors-'));
    kubeconfig = join(dir, 'kubeconfig');
    await writeFile(
      kubeconfig,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'local', cluster: { server: `http://127.0.0.1:${port}` } }],
        users: [{ name: 'dev', user: { token: 'secret-token' } }],
        contexts: [{ name: 'local', context: { cluster: 'local', user: 'dev', namespace: 'shop' } }],
        'current-context': 'local',
      }),
    );
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await rm(dir, { recursive: true, force: true });
  });

  test('apply is a server-side apply with berth as field manager and the body untouched', async () => {
    reset((req, res) => sendJson(res, 200, JSON.parse(req.body)));
    const stored = await client().apply(deployment, { force: true });
    assert.deepEqual(stored, deployment);
    const [req] = requests;
    assert.ok(req);
    assert.equal(req.method, 'PATCH');
    assert.equal(req.url.pathname, '/apis/apps/v1/namespaces/shop/deployments/web');
    assert.equal(req.url.searchParams.get('fieldManager'), 'berth');
    assert.equal(req.url.searchParams.get('force'), 'true');
    assert.equal(req.url.searchParams.get('dryRun'), null);
    assert.equal(req.headers['content-type'], 'application/apply-patch+yaml');
    assert.equal(req.headers.authorization, 'Bearer secret-token');
    assert.deepEqual(JSON.parse(req.body), deployment);
  });

  test('dryRunApply sends dryRun=All', async () => {
    reset((req, res) => sendJson(res, 200, JSON.parse(req.body)));
    await client().dryRunApply(deployment);
    assert.equal(requests[0]?.url.searchParams.get('dryRun'), 'All');
    assert.equal(requests[0]?.url.searchParams.get('force'), null);
  });

  test('429 with Retry-After and 503 are retried, then the request succeeds', async () => {
    let calls = 0;
    reset((req, res) => {
      calls++;
      if (calls === 1)
        return sendStatus(
          res,
          429,
          { reason: 'TooManyRequests', message: 'slow down' },
          { 'retry-after': '1' },
        );
      if (calls === 2) return sendStatus(res, 503, { reason: 'ServiceUnavailable', message: 'etcd is busy' });
      sendJson(res, 200, JSON.parse(req.body));
    });
    const stored = await client().apply(deployment);
    assert.equal(stored.metadata.name, 'web');
    assert.equal(calls, 3);
    assert.deepEqual(sleeps, [1000, 300]);
  });

  test('persistent 503 gives up after five attempts with a runtime error', async () => {
    reset((_req, res) => sendStatus(res, 503, { reason: 'ServiceUnavailable', message: 'etcd is busy' }));
    await assert.rejects(client().apply(deployment), (err: unknown) => {
      assert.ok(err instanceof KubeApiError);
      assert.equal(
        err.message,
        'apply Deployment/web in shop: API server says: etcd is busy (reason: ServiceUnavailable)',
      );
      assert.equal(err.exitCode, ExitCode.runtime);
      return true;
    });
    assert.equal(requests.length, 5);
    assert.equal(sleeps.length, 4);
  });

  test('a field conflict becomes an ApplyConflictError, without retries', async () => {
    reset((_req, res) => sendStatus(res, 409, conflictStatus));
    await assert.rejects(client().apply(deployment), (err: unknown) => {
      assert.ok(err instanceof ApplyConflictError);
      assert.deepEqual(
        err.conflicts.map((c) => `${c.field} ${c.manager}`),
        ['.spec.replicas kubectl-edit', '.spec.template.spec.containers[name="web"].image hpa-"controller"'],
      );
      assert.ok(!err.message.includes('Headers'));
      return true;
    });
    assert.equal(requests.length, 1);
  });

  test('a 409 on apply that names no field (the object changed while stored) is applied again', async () => {
    let calls = 0;
    reset((req, res) => {
      calls++;
      if (calls === 1)
        return sendStatus(res, 409, {
          reason: 'Conflict',
          message: 'Operation cannot be fulfilled on deployments.apps "web": the object has been modified',
        });
      sendJson(res, 200, JSON.parse(req.body));
    });
    const stored = await client().apply(deployment, { force: true });
    assert.equal(stored.metadata.name, 'web');
    assert.equal(calls, 2);
  });

  test('a 409 on an apply that carries a resourceVersion (compare-and-swap) is not retried', async () => {
    reset((_req, res) =>
      sendStatus(res, 409, { reason: 'Conflict', message: 'the object has been modified' }),
    );
    const swap = { ...deployment, metadata: { ...deployment.metadata, resourceVersion: '7' } };
    await assert.rejects(client().apply(swap, { force: true }), (err: unknown) => {
      assert.ok(err instanceof KubeApiError);
      assert.equal(err.status, 409);
      return true;
    });
    assert.equal(requests.length, 1);
  });

  test('get returns undefined on 404, delete returns false', async () => {
    reset((_req, res) =>
      sendStatus(res, 404, { reason: 'NotFound', message: 'deployments.apps "web" not found' }),
    );
    const ref = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', namespace: 'shop' };
    assert.equal(await client().get(ref), undefined);
    assert.equal(await client().delete(ref), false);
    assert.equal(requests[1]?.method, 'DELETE');
    assert.equal(requests[1]?.url.searchParams.get('propagationPolicy'), 'Background');
  });

  test('objects without a namespace use the context namespace; cluster-scoped kinds none', async () => {
    reset((req, res) => sendJson(res, 200, { kind: 'X', metadata: { name: req.url.pathname } }));
    const c = client();
    await c.get({ apiVersion: 'v1', kind: 'ConfigMap', name: 'conf' });
    await c.get({ apiVersion: 'v1', kind: 'Namespace', name: 'shop' });
    assert.deepEqual(
      requests.map((r) => r.url.pathname),
      ['/api/v1/namespaces/shop/configmaps/conf', '/api/v1/namespaces/shop'],
    );
  });

  test('list follows continue tokens and fills in apiVersion and kind', async () => {
    reset((req, res) => {
      const page = req.url.searchParams.get('continue');
      sendJson(res, 200, {
        kind: 'ConfigMapList',
        metadata: { resourceVersion: '42', ...(page ? {} : { continue: 'next' }) },
        items: [{ metadata: { name: page ? 'b' : 'a' } }],
      });
    });
    const listed = await client().listWithVersion({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      namespace: 'shop',
      labelSelector: 'a=b',
    });
    assert.deepEqual(
      listed.items.map((i) => `${i.apiVersion} ${i.kind} ${i.metadata.name}`),
      ['v1 ConfigMap a', 'v1 ConfigMap b'],
    );
    assert.equal(listed.resourceVersion, '42');
    assert.equal(requests[0]?.url.searchParams.get('labelSelector'), 'a=b');
  });

  test('a kind the cluster does not serve is a KubeUnknownKindError', async () => {
    reset((_req, res) => sendStatus(res, 500, { message: 'unexpected' }));
    const monitor = {
      apiVersion: 'example.com/v1',
      kind: 'Widget',
      metadata: { name: 'w', namespace: 'shop' },
    };
    await assert.rejects(client().apply(monitor), (err: unknown) => {
      assert.ok(err instanceof KubeUnknownKindError);
      assert.equal(err.message, 'apply Widget/w in shop: the cluster does not serve example.com/v1 Widget');
      return true;
    });
    const gadget = { apiVersion: 'apps/v1', kind: 'Gadget', metadata: { name: 'g' } };
    await assert.rejects(client().apply(gadget), KubeUnknownKindError);
  });

  test('an unreachable API server is a KubeConnectionError after retries', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const file = join(dir, 'refused');
    await writeFile(
      file,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'c', cluster: { server: `http://127.0.0.1:${port}` } }],
        users: [{ name: 'u', user: {} }],
        contexts: [{ name: 'c', context: { cluster: 'c', user: 'u' } }],
        'current-context': 'c',
      }),
    );
    sleeps.length = 0;
    const c = KubeClient.fromKubeconfig({ kubeconfig: file, retry });
    await assert.rejects(c.serverVersion(), (err: unknown) => {
      assert.ok(err instanceof KubeConnectionError);
      assert.equal(err.errorCode, 'ECONNREFUSED');
      assert.equal(err.exitCode, ExitCode.runtime);
      assert.match(
        err.message,
        /^get version version: cannot reach the API server at http:\/\/127\.0\.0\.1:\d+: nothing listens there \(ECONNREFUSED\)$/,
      );
      return true;
    });
    assert.equal(sleeps.length, 4);
  });

  test('create (not idempotent) retries throttling but never a 5xx', async () => {
    const configMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'lock', namespace: 'shop' } };
    reset((_req, res) =>
      sendStatus(res, 503, { reason: 'ServiceUnavailable', message: 'maybe stored, maybe not' }),
    );
    await assert.rejects(client().create(configMap), KubeApiError);
    assert.equal(requests.length, 1);
    let calls = 0;
    reset((req, res) => {
      calls++;
      if (calls === 1) return sendStatus(res, 429, { reason: 'TooManyRequests', message: 'slow down' });
      sendJson(res, 201, JSON.parse(req.body));
    });
    await client().create(configMap);
    assert.deepEqual(
      requests.map((r) => `${r.method} ${r.url.pathname}`),
      ['POST /api/v1/namespaces/shop/configmaps', 'POST /api/v1/namespaces/shop/configmaps'],
    );
  });

  test('listMetadata asks for PartialObjectMetadata', async () => {
    reset((_req, res) =>
      sendJson(res, 200, {
        kind: 'PartialObjectMetadataList',
        apiVersion: 'meta.k8s.io/v1',
        metadata: { resourceVersion: '7' },
        items: [{ kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: { name: 'a' } }],
      }),
    );
    const items = await client().listMetadata({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'shop' });
    assert.deepEqual(
      items.map((i) => `${i.apiVersion} ${i.kind} ${i.metadata.name}`),
      ['v1 ConfigMap a'],
    );
    assert.match(
      String(requests[0]?.headers.accept),
      /^application\/json;as=PartialObjectMetadataList;g=meta\.k8s\.io;v=v1/,
    );
  });

  test('kubeconfig problems are user errors', () => {
    assert.throws(() => KubeClient.fromKubeconfig({ kubeconfig: join(dir, 'missing') }), KubeconfigError);
    assert.throws(
      () => KubeClient.fromKubeconfig({ kubeconfig, context: 'nope' }),
      (err: unknown) => err instanceof KubeconfigError && err.hint === 'known contexts: local',
    );
    const c = KubeClient.fromKubeconfig({ kubeconfig, namespace: 'other' });
    assert.equal(c.namespace, 'other');
    assert.equal(c.context, 'local');
  });
});

describe('RolloutError', () => {
  const unschedulable = '0/3 nodes are available: 3 Insufficient memory.';
  const ref = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', namespace: 'shop' };
  test('a short report: same problems share a line, events that repeat them are left out', () => {
    const err = new RolloutError('timeout', 300_000, [
      {
        ref,
        message: '1/3 pods ready',
        failed: false,
        podProblems: [
          { pod: 'web-7f9c-a', reason: 'Unschedulable', message: unschedulable },
          { pod: 'web-7f9c-b', reason: 'Unschedulable', message: unschedulable },
          { pod: 'web-7f9c-c', reason: 'Unschedulable', message: unschedulable },
          {
            pod: 'web-7f9c-d',
            container: 'web',
            reason: 'ImagePullBackOff',
            message: 'Back-off pulling image "web:9"',
          },
        ],
        events: [
          {
            object: 'Pod/web-7f9c-a',
            reason: 'FailedScheduling',
            message: unschedulable,
            count: 3,
            lastSeen: undefined,
          },
          {
            object: 'ReplicaSet/web-7f9c',
            reason: 'FailedCreate',
            message: 'quota exceeded',
            count: 2,
            lastSeen: undefined,
          },
          { object: 'Deployment/web', reason: 'Odd', message: 'odd', count: 1, lastSeen: undefined },
        ],
        notes: [],
      },
    ]);
    assert.equal(err.code, 'BERTH_ROLLOUT_TIMEOUT');
    assert.equal(err.exitCode, ExitCode.runtime);
    assert.equal(
      err.message,
      [
        'timed out after 5m waiting for 1 object:',
        '  Deployment/web in shop: not ready: 1/3 pods ready',
        `    pods web-7f9c-a, web-7f9c-b and 1 more Unschedulable: ${unschedulable}`,
        '    pod web-7f9c-d (container web) ImagePullBackOff: Back-off pulling image "web:9"',
        '    warning ReplicaSet/web-7f9c FailedCreate (2×): quota exceeded',
        '    warning Odd: odd',
      ].join('\n'),
    );
    assert.equal(err.hint, 'more detail: kubectl describe deployment/web -n shop');
  });
  test('a failed object reads as a failure', () => {
    const err = new RolloutError('failed', 12_400, [
      {
        ref: { apiVersion: 'batch/v1', kind: 'Job', name: 'migrate', namespace: 'shop' },
        message: 'Job failed: BackoffLimitExceeded (3 retries)',
        failed: true,
        podProblems: [],
        events: [],
        notes: ['could not list events: forbidden'],
      },
    ]);
    assert.equal(err.code, 'BERTH_ROLLOUT_FAILED');
    assert.equal(
      err.message,
      [
        'rollout failed after 12s:',
        '  Job/migrate in shop: Job failed: BackoffLimitExceeded (3 retries)',
        '    could not list events: forbidden',
      ].join('\n'),
    );
  });
});
