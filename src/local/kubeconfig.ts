import { readFile, writeFile } from 'node:fs/promises';
import { stringify } from 'yaml';
import type { KeyPair } from './certs.ts';

/** The context (and cluster and user) name in the kubeconfig that `up` writes. */
export const contextName = 'berth-local';

export interface KubeconfigInput {
  server: string;
  caFile: string;
  client: KeyPair;
  user: string;
}

const b64 = async (file: string): Promise<string> => (await readFile(file)).toString('base64');

/** Renders a kubeconfig with the certificates embedded, so the file stands on its own. */
export async function renderKubeconfig(input: KubeconfigInput): Promise<string> {
  const doc = {
    apiVersion: 'v1',
    kind: 'Config',
    preferences: {},
    clusters: [
      {
        name: contextName,
        cluster: { server: input.server, 'certificate-authority-data': await b64(input.caFile) },
      },
    ],
    users: [
      {
        name: input.user,
        user: {
          'client-certificate-data': await b64(input.client.cert),
          'client-key-data': await b64(input.client.key),
        },
      },
    ],
    contexts: [{ name: contextName, context: { cluster: contextName, user: input.user } }],
    'current-context': contextName,
  };
  return stringify(doc);
}

export async function writeKubeconfig(path: string, input: KubeconfigInput): Promise<void> {
  await writeFile(path, await renderKubeconfig(input), { mode: 0o600 });
}
