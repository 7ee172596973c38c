/** Run the real berth CLI against the e2e cluster, and read what it left in the cluster. */
import { spawn } from 'node:child_process';
import { gunzipSync } from 'node:zlib';
import { BERTH_BIN, type CliResult, runBerth } from '../../support/cli.ts';
import { e2eEnv, kubectlJson } from './cluster.ts';

export function berth(args: readonly string[]): Promise<CliResult> {
  return runBerth(args, { env: { KUBECONFIG: e2eEnv().kubeconfig } });
}

/** Starts berth and SIGKILLs it as soon as its output matches `pattern`; resolves when it is dead. */
export function berthKilledAt(
  args: readonly string[],
  pattern: RegExp,
): Promise<{ killed: boolean; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(BERTH_BIN, args, {
      env: { ...process.env, KUBECONFIG: e2eEnv().kubeconfig },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    let killed = false;
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (!killed && pattern.test(output)) {
        killed = true;
        child.kill('SIGKILL');
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', reject);
    child.on('close', () => resolve({ killed, output }));
  });
}

interface SecretList {
  items: { metadata: { name: string; labels?: Record<string, string> }; data?: Record<string, string> }[];
}

/** Every release record of a namespace, decoded (chunks joined, gunzipped). */
export async function decodedRecords(namespace: string): Promise<string[]> {
  const list = await kubectlJson<SecretList>([
    'get',
    'secrets',
    '-n',
    namespace,
    '-l',
    'berth.dev/owner=berth',
  ]);
  const byRevision = new Map<string, { chunk: number; text: string }[]>();
  for (const item of list.items) {
    const labels = item.metadata.labels ?? {};
    const key = `${labels['berth.dev/release']}/${labels['berth.dev/revision']}`;
    const text = Buffer.from(item.data?.record ?? '', 'base64').toString();
    byRevision.set(key, [...(byRevision.get(key) ?? []), { chunk: Number(labels['berth.dev/chunk']), text }]);
  }
  return [...byRevision.values()].map((chunks) =>
    gunzipSync(
      Buffer.from(
        chunks
          .sort((a, b) => a.chunk - b.chunk)
          .map((c) => c.text)
          .join(''),
        'base64',
      ),
    ).toString(),
  );
}

/** The decoded data of a Secret. */
export async function secretData(namespace: string, name: string): Promise<Record<string, string>> {
  const secret = await kubectlJson<{ data?: Record<string, string> }>([
    'get',
    'secret',
    name,
    '-n',
    namespace,
  ]);
  return Object.fromEntries(
    Object.entries(secret.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString()]),
  );
}
