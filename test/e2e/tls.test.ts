/**
 * TLS and connection failures against the real API server: kubeconfigs derived from the e2e one
 * with a CA that did not sign the server, `http://` to the https port, a client certificate from an
 * unknown CA, a client key that does not match its certificate, and `insecure-skip-tls-verify`.
 * Each command must end with one `error:` line naming the server and the cause (plus at most one
 * hint), the documented exit code, and no stack trace.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parse, stringify } from 'yaml';
import { ensurePki, type Pki } from '../../src/local/certs.ts';
import { type CliResult, runBerth } from '../support/cli.ts';
import { e2eEnv } from './support/cluster.ts';

interface Kubeconfig {
  clusters: { cluster: Record<string, unknown> }[];
  users: { user: Record<string, unknown> }[];
}

let dir: string;
let base: Kubeconfig;
let server: string;

const b64 = async (file: string): Promise<string> => (await readFile(file)).toString('base64');

/** A complete PKI (CA, admin client) that has nothing to do with the e2e cluster. */
let stranger: Pki;

/** Writes the e2e kubeconfig with `change` applied to its (only) cluster and user. */
async function kubeconfigWith(
  name: string,
  change: (cluster: Record<string, unknown>, user: Record<string, unknown>) => void,
): Promise<string> {
  const doc = structuredClone(base);
  change(doc.clusters[0]!.cluster, doc.users[0]!.user);
  const path = join(dir, `${name}.yaml`);
  await writeFile(path, stringify(doc), { mode: 0o600 });
  return path;
}

function berthWith(kubeconfig: string, args: readonly string[]): Promise<CliResult> {
  return runBerth(args, { env: { KUBECONFIG: kubeconfig } });
}

const COMMANDS: readonly (readonly string[])[] = [['list'], ['status', 'x', '-n', 'default']];

/** One `error:` line naming `url` and matching `cause`, at most one hint, no trace. */
function assertOneLine(result: CliResult, expected: { exit: number; url: string; cause: RegExp }): void {
  const lines = result.stderr.trim().split('\n');
  const context = `stderr was:\n${result.stderr}`;
  assert.equal(result.code, expected.exit, context);
  assert.match(lines[0] ?? '', /^error: /, context);
  assert.ok(lines[0]!.includes(expected.url), `the error names ${expected.url}; ${context}`);
  assert.match(lines[0]!, expected.cause, context);
  assert.ok(lines.length === 1 || (lines.length === 2 && lines[1]!.startsWith('hint: ')), context);
  assert.doesNotMatch(result.stderr, /\n\s+at |internal error|this is a bug/i, context);
}

describe('TLS failures name the server and the cause', () => {
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'berth-e2e-tls-'));
    base = parse(await readFile(e2eEnv().kubeconfig, 'utf8')) as Kubeconfig;
    server = String(base.clusters[0]!.cluster.server);
    stranger = await ensurePki(join(dir, 'stranger-pki'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('a certificate-authority that did not sign the server certificate: exit 3', async () => {
    const config = await kubeconfigWith('bad-ca', (cluster) => {
      delete cluster['certificate-authority-data'];
      cluster['certificate-authority'] = stranger.ca.cert;
    });
    for (const args of COMMANDS) {
      assertOneLine(await berthWith(config, args), {
        exit: 3,
        url: server,
        cause: /certificate (is )?signed by an unknown authority|not trusted/,
      });
    }
  });

  test('http:// to the https port: exit 3, says the server speaks HTTPS', async () => {
    const plain = server.replace(/^https:/, 'http:');
    const config = await kubeconfigWith('http', (cluster) => {
      cluster.server = plain;
    });
    for (const args of COMMANDS) {
      assertOneLine(await berthWith(config, args), { exit: 3, url: plain, cause: /speaks HTTPS/ });
    }
  });

  // Rejected credentials are the kubeconfig's to fix, like a 403: a user error (exit 1), not a fault.
  test('a client certificate from an unknown CA: the server refuses it (401), exit 1', async () => {
    const client = stranger.clients.admin;
    const [certData, keyData] = [await b64(client.cert), await b64(client.key)];
    const config = await kubeconfigWith('unknown-client', (_cluster, user) => {
      user['client-certificate-data'] = certData;
      user['client-key-data'] = keyData;
    });
    for (const args of COMMANDS) {
      assertOneLine(await berthWith(config, args), {
        exit: 1,
        url: server,
        cause: /rejected the kubeconfig's credentials/,
      });
    }
  });

  test('a client key that does not match its certificate: a broken kubeconfig, exit 1', async () => {
    const keyData = await b64(stranger.clients.admin.key);
    const config = await kubeconfigWith('mismatched-key', (_cluster, user) => {
      user['client-key-data'] = keyData;
    });
    for (const args of COMMANDS) {
      assertOneLine(await berthWith(config, args), {
        exit: 1,
        url: server,
        cause: /client key does not match its certificate/,
      });
    }
  });

  test('insecure-skip-tls-verify with a bad CA is refused as kubectl does, exit 1', async () => {
    const config = await kubeconfigWith('skip-verify', (cluster) => {
      delete cluster['certificate-authority-data'];
      cluster['certificate-authority'] = stranger.ca.cert;
      cluster['insecure-skip-tls-verify'] = true;
    });
    for (const args of COMMANDS) {
      assertOneLine(await berthWith(config, args), {
        exit: 1,
        url: server,
        cause: /insecure-skip-tls-verify/,
      });
    }
  });
});
