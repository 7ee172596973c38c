/**
 * `up` on a machine whose control plane is not built yet: the build runs first, with periodic
 * progress, and the start time-out counts the start only. A stand-in build script (the `script`
 * seam, or $BERTH_BUILD_SCRIPT for the CLI) sleeps longer than a deliberately short start time-out
 * and then provides stand-in binaries: small Node servers answering the health and API calls
 * `up` makes (etcd /health, the API server over TLS with the cluster's own certificate, ...).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { formatElapsed, LocalClusterError, up } from '../../src/local/index.ts';
import { repoRoot } from '../../src/local/paths.ts';

const run = promisify(execFile);
const components = ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kwok'];

/** One program for the five stand-in components; the cluster's state dir is its working directory. */
const fakeComponent = `
import { readFileSync } from 'node:fs';
import { createServer as http } from 'node:http';
import { createServer as https } from 'node:https';
const [component, ...args] = process.argv.slice(2);
const flag = (name) => args.find((a) => a.startsWith('--' + name + '='))?.slice(name.length + 3);
const tls = () => ({ cert: readFileSync('pki/apiserver.crt'), key: readFileSync('pki/apiserver.key') });
const send = (res, status, body) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};
if (component === 'etcd') {
  http((req, res) => send(res, 200, { health: 'true' })).listen(Number(new URL(flag('listen-client-urls')).port), '127.0.0.1');
} else if (component === 'kube-apiserver') {
  https(tls(), (req, res) => {
    req.resume();
    req.on('end', () => {
      if (req.method === 'POST') return send(res, 201, {});
      if (req.url.startsWith('/api/v1/nodes/')) return send(res, 200, { status: { conditions: [{ type: 'Ready', status: 'True' }] } });
      send(res, 200, {});
    });
  }).listen(Number(flag('secure-port')), '127.0.0.1');
} else if (component === 'kwok') {
  setInterval(() => {}, 1 << 30);
} else {
  https(tls(), (req, res) => res.end('ok')).listen(Number(flag('secure-port')), '127.0.0.1');
}
`;

let root: string;

/** A stand-in for cluster/build.sh that takes `seconds` per binary, then writes a stand-in binary. */
async function standInBuild(
  name: string,
  secondsPerBinary: number,
): Promise<{ script: string; binDir: string }> {
  const dir = join(root, name);
  const binDir = join(dir, 'bin');
  await mkdir(dir, { recursive: true });
  const program = join(dir, 'fake-component.mjs');
  await writeFile(program, fakeComponent);
  const script = join(dir, 'build.sh');
  await writeFile(
    script,
    `set -eu
case "\${1:-}" in
  --print-bin-dir) echo ${binDir}; exit 0 ;;
  --print-tools-dir) echo ${join(dir, 'tools')}; exit 0 ;;
esac
echo "[berth build] cold build of the control plane (stand-in)" >&2
mkdir -p ${binDir}
step=0
for b in ${components.join(' ')}; do
  step=$((step + 1))
  echo "[berth build] building $b ($step/5, stand-in) ..." >&2
  sleep ${secondsPerBinary} & wait $!
  printf '#!/bin/sh\\nexec "%s" "%s" %s "$@"\\n' "${process.execPath}" "${program}" "$b" > ${binDir}/$b
  chmod +x ${binDir}/$b
  echo "[berth build] built $b in ${secondsPerBinary}s" >&2
done
echo ${binDir}
`,
  );
  await chmod(script, 0o755);
  return { script, binDir };
}

/** The stand-in components ignore `down` (their argv[0] is node): kill their process groups. */
function killComponents(stateDir: string): void {
  const pids = join(stateDir, 'pids');
  if (!existsSync(pids)) return;
  for (const file of readdirSync(pids)) {
    const pid = Number.parseInt(readFileSync(join(pids, file), 'utf8'), 10);
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // gone already
    }
  }
}

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'berth-local-build-'));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('local up on a cold machine', () => {
  test('builds first, reports progress, and counts only the start against its time-out', async () => {
    const { script } = await standInBuild('api', 0.8); // 4 s of build
    const stateDir = join(root, 'api-state');
    const timeoutMs = 2_500;
    const lines: string[] = [];
    try {
      const info = await up({
        stateDir,
        timeoutMs,
        build: { script, progressIntervalMs: 250 },
        onProgress: (line) => lines.push(line),
      });
      assert.ok(info.buildMs !== undefined && info.buildMs > timeoutMs, `build took ${info.buildMs} ms`);
      assert.ok(info.timings && info.timings.ready < timeoutMs);
      assert.equal(info.alreadyRunning, false);
      assert.ok(existsSync(info.kubeconfig));
    } finally {
      killComponents(stateDir);
    }
    assert.ok(lines.some((l) => l.startsWith('control plane binaries missing: building them once')));
    assert.ok(
      lines.some((l) => /^building kube-apiserver \(2\/5\) … \d+s$/.test(l)),
      `no periodic progress line in:\n${lines.join('\n')}`,
    );
    assert.ok(lines.some((l) => /^control plane built in \d+s; starting it$/.test(l)));
    assert.ok(lines.some((l) => l.startsWith('local cluster api-state ready in')));
  });

  test('`berth local up -o json` keeps stdout to the JSON document and prints the build on stderr', async () => {
    const { script } = await standInBuild('cli', 0.6); // 3 s of build
    const stateRoot = join(root, 'cli-state');
    try {
      const { stdout, stderr } = await run(
        join(repoRoot, 'bin', 'berth'),
        ['local', 'up', '-o', 'json', '--timeout', '2s'],
        { env: { ...process.env, BERTH_BUILD_SCRIPT: script, BERTH_STATE_DIR: stateRoot } },
      );
      const info = JSON.parse(stdout) as { buildMs?: number; name: string };
      assert.equal(info.name, 'default');
      assert.ok(info.buildMs !== undefined && info.buildMs > 2_000, `build took ${info.buildMs} ms`);
      assert.match(stderr, /^building kube-apiserver \(2\/5, stand-in\) \.\.\.$/m);
      assert.match(stderr, /^control plane built in \d+s; starting it$/m);
      assert.doesNotMatch(stderr, /started etcd/, 'start steps stay quiet with -o json');
    } finally {
      killComponents(join(stateRoot, 'local', 'default'));
    }
  });

  test('aborting stops the build and throws INTERRUPTED', async () => {
    const { script, binDir } = await standInBuild('abort', 1);
    const controller = new AbortController();
    const started = Date.now();
    const attempt = up({
      stateDir: join(root, 'abort-state'),
      build: { script },
      signal: controller.signal,
      onProgress: (line) => {
        if (line.startsWith('building etcd')) controller.abort();
      },
    });
    await assert.rejects(
      attempt,
      (err: unknown) => err instanceof LocalClusterError && err.code === 'INTERRUPTED',
    );
    assert.ok(Date.now() - started < 4_000, 'the build did not run to its end');
    assert.equal(existsSync(join(binDir, 'kwok')), false);
  });

  test('elapsed times read as minutes and seconds', () => {
    assert.equal(formatElapsed(9_400), '9s');
    assert.equal(formatElapsed(130_000), '2m10s');
  });
});
