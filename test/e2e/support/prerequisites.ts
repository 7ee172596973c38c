/** What a blueprint needs in the cluster before it installs (its documented prerequisites). */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kubectl } from './cluster.ts';

/** Knative Serving's CRDs, the runner's kubeconfig Secret and Casdoor's signing certificate. */
export async function csghubPrerequisites(namespace: string): Promise<void> {
  const crds = ['services', 'configurations', 'revisions', 'routes'].map((plural) => ({
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.serving.knative.dev` },
    spec: {
      group: 'serving.knative.dev',
      scope: 'Namespaced',
      names: { plural, kind: plural[0]!.toUpperCase() + plural.slice(1, -1) },
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
        },
      ],
    },
  }));
  await kubectl(['apply', '-f', '-'], {
    input: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: crds }),
  });
  await kubectl([
    'create',
    'secret',
    'generic',
    'kube-configs',
    '-n',
    namespace,
    '--from-literal=config=apiVersion: v1',
  ]);
  const dir = mkdtempSync(join(tmpdir(), 'csghub-jwt-'));
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=casdoor',
      '-keyout',
      join(dir, 'tls.key'),
      '-out',
      join(dir, 'tls.crt'),
    ],
    { stdio: 'ignore' },
  );
  await kubectl([
    'create',
    'secret',
    'tls',
    'r-casdoor-jwt',
    '-n',
    namespace,
    `--cert=${join(dir, 'tls.crt')}`,
    `--key=${join(dir, 'tls.key')}`,
  ]);
  rmSync(dir, { recursive: true, force: true });
}
