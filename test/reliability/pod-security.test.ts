/**
 * Every blueprint against a namespace enforcing Pod Security "restricted"
 * (pod-security.kubernetes.io/enforce=restricted), judged by the API server's own admission:
 * 1. each pod template of the example values, created as a Pod with a server-side dry run: the
 *    containers refused are exactly those the blueprint declares a securityException for;
 * 2. a real install: with no exception left (csghub's builder pointed at an external Docker daemon)
 *    it is admitted and becomes ready; where an exception cannot be switched off (dify's code
 *    sandbox), preflight refuses it naming that container, and nothing is created.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, describe, test } from 'node:test';
import { parse } from 'yaml';
import { blueprintNames, getBlueprint } from '../../src/blueprints/registry.ts';
import type { KubeObject } from '../../src/render/model.ts';
import { render } from '../../src/render/render.ts';
import { deleteNamespace, e2eEnv, kubectl, kubectlJson, uniqueName } from '../e2e/support/cluster.ts';
import { csghubPrerequisites } from '../e2e/support/prerequisites.ts';
import { Transcript, writeFigures } from './support/harness.ts';
import { scanForSecrets } from './support/records.ts';

const runs = new Transcript(() => e2eEnv().kubeconfig);
const namespaces: string[] = [];
const figures: Record<string, unknown> = {};

/** A value that switches a declared exception off, where the blueprint has one. */
const WITHOUT_EXCEPTIONS: Record<string, { readonly path: string; readonly value: string }> = {
  csghub: { path: 'csghub.builder.dockerHost', value: 'tcp://docker.example.com:2375' },
};
const PREPARE: Record<string, (namespace: string) => Promise<void>> = { csghub: csghubPrerequisites };

/** `component/container` of each securityException the render warnings declare. */
function declaredExceptions(warnings: readonly string[]): string[] {
  return warnings
    .map((note) => /^([\w-]+\/[\w-]+): security exception/.exec(note)?.[1])
    .filter((x): x is string => x !== undefined)
    .sort();
}

function withValue(values: Record<string, unknown>, path: string, value: string): Record<string, unknown> {
  const copy = structuredClone(values);
  const keys = path.split('.');
  let node = copy;
  for (const key of keys.slice(0, -1)) {
    node[key] ??= {};
    node = node[key] as Record<string, unknown>;
  }
  node[keys.at(-1)!] = value;
  return copy;
}

async function restrictedNamespace(prefix: string): Promise<string> {
  const name = uniqueName(`pss-${prefix}`);
  namespaces.push(name);
  await kubectl(['create', 'namespace', name]);
  await kubectl([
    'label',
    'namespace',
    name,
    'pod-security.kubernetes.io/enforce=restricted',
    'pod-security.kubernetes.io/enforce-version=latest',
  ]);
  return name;
}

interface PodSpec {
  containers: { name: string }[];
  initContainers?: { name: string }[];
}

/**
 * The pod spec a workload's controller would create; a StatefulSet's claim templates become
 * emptyDir volumes of the same name (allowed under "restricted"), as the controller would mount them.
 */
function podSpecOf(object: KubeObject): PodSpec | undefined {
  const spec = object.spec as Record<string, any> | undefined;
  if (object.kind === 'CronJob') return spec?.jobTemplate?.spec?.template?.spec;
  if (!['Deployment', 'StatefulSet', 'DaemonSet', 'Job'].includes(object.kind)) return undefined;
  const claims = (spec?.volumeClaimTemplates ?? []) as { metadata: { name: string } }[];
  const pod = spec?.template?.spec;
  if (!claims.length) return pod;
  const volumes = [...(pod.volumes ?? []), ...claims.map((c) => ({ name: c.metadata.name, emptyDir: {} }))];
  return { ...pod, volumes };
}

/** The containers of `spec` that the API server's Pod Security admission refuses, or none. */
async function refusedContainers(namespace: string, spec: PodSpec): Promise<string[]> {
  const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'pss-probe', namespace }, spec };
  const result = await kubectl(['create', '--dry-run=server', '-o', 'name', '-f', '-'], {
    input: JSON.stringify(pod),
    allowFailure: true,
  });
  if (result.code === 0) return [];
  assert.match(result.stderr, /violates PodSecurity "restricted:latest"/, result.stderr);
  const named = new Set([...result.stderr.matchAll(/"([^"]+)"/g)].map((m) => m[1]!));
  return [...(spec.initContainers ?? []), ...spec.containers]
    .map((c) => c.name)
    .filter((name) => named.has(name));
}

after(async () => {
  const scan = await scanForSecrets(namespaces, new Map(runs.texts.map((text, i) => [`output ${i}`, text])));
  writeFigures('pod-security', { blueprints: figures, secretScan: { ...scan, leaks: scan.leaks.length } });
  for (const ns of namespaces) await deleteNamespace(ns);
  assert.deepEqual(scan.leaks, []);
});

describe('every blueprint under Pod Security "restricted"', { concurrency: true }, () => {
  for (const name of blueprintNames()) {
    test(name, async () => {
      const example = `examples/${name}/values-minimal.yaml`;
      const values = parse(readFileSync(example, 'utf8')) ?? {};
      const ns = await restrictedNamespace(name);
      const rendered = await render(await getBlueprint(name), values, { release: 'r', namespace: ns });
      const declared = declaredExceptions(rendered.warnings);

      const refused: string[] = [];
      let templates = 0;
      for (const manifest of rendered.manifests) {
        const spec = podSpecOf(manifest.object);
        if (!spec) continue;
        templates++;
        for (const container of await refusedContainers(ns, spec))
          refused.push(`${manifest.component}/${container}`);
      }
      assert.ok(templates > 0);
      assert.deepEqual(refused.sort(), declared, 'refused exactly the declared exceptions');

      // The install: with the exceptions switched off where the blueprint allows it.
      const off = WITHOUT_EXCEPTIONS[name];
      const installValues = off ? withValue(values, off.path, off.value) : values;
      const remaining = declaredExceptions(
        (await render(await getBlueprint(name), installValues, { release: 'r', namespace: ns })).warnings,
      );
      await PREPARE[name]?.(ns);
      const set = off ? ['--set', `${off.path}=${off.value}`] : [];
      const install = await runs.run(['install', 'r', name, '-n', ns, '-f', example, ...set]);
      figures[name] = {
        podTemplates: templates,
        declaredExceptions: declared,
        refusedByAdmission: refused,
        installedWith: off ? `${off.path}=${off.value}` : 'the example values',
        remainingExceptions: remaining,
        install: install.code,
        installError: install.stderr.split('\n').find((l) => l.startsWith('error:')),
      };
      if (remaining.length === 0) {
        assert.equal(install.code, 0, install.stderr);
        const status = JSON.parse((await runs.run(['status', 'r', '-n', ns, '-o', 'json'])).stdout);
        assert.equal(status.ready, true);
        return;
      }
      assert.equal(install.code, 3, install.stderr);
      assert.match(install.stderr, /preflight failed; nothing was changed/);
      for (const excepted of remaining) assert.match(install.stderr, new RegExp(excepted.split('/')[1]!));
      const workloads = await kubectlJson<{ items: unknown[] }>([
        'get',
        'deployments,statefulsets,jobs',
        '-n',
        ns,
      ]);
      assert.equal(workloads.items.length, 0, 'nothing was created');
    });
  }
});
