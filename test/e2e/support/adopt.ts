/**
 * What the `berth adopt helm` tests share: Helm's own folders per test process, the claims a chart
 * created, and the checks that Helm owns a release — or owns nothing of it any more.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { berth } from './berth.ts';
import { helm, kubectl, kubectlJson } from './cluster.ts';

const helmHome = mkdtempSync(join(tmpdir(), 'berth-adopt-helm-'));
for (const dir of ['CACHE', 'CONFIG', 'DATA'])
  process.env[`HELM_${dir}_HOME`] = join(helmHome, dir.toLowerCase());

/** The test chart of that name under test/fixtures/charts. */
export const testChart = (name: string) => join(import.meta.dirname, '../../fixtures/charts', name);

export interface Meta {
  metadata: {
    name: string;
    uid: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    managedFields?: { manager: string }[];
  };
}

export function assertOk(result: { code: number; stdout: string; stderr: string }, what: string): void {
  assert.equal(result.code, 0, `${what} failed:\n${result.stdout}\n${result.stderr}`);
}

export const claimUids = async (ns: string) =>
  Object.fromEntries(
    (await kubectlJson<{ items: Meta[] }>(['get', 'pvc', '-n', ns])).items.map((c) => [
      c.metadata.name,
      c.metadata.uid,
    ]),
  );

export async function helmReleases(ns: string): Promise<{ name: string; status: string }[]> {
  return JSON.parse((await helm(['list', '-n', ns, '-o', 'json'])).stdout);
}

/** Helm lists the release as deployed and berth keeps no record of it. */
export async function assertHelmsOnly(ns: string, release: string): Promise<void> {
  assert.deepEqual(
    (await helmReleases(ns)).map((r) => [r.name, r.status]),
    [[release, 'deployed']],
  );
  assert.equal(
    (await kubectl(['get', 'secrets', '-n', ns, '-l', 'berth.dev/owner=berth', '-o', 'name'])).stdout,
    '',
  );
}

/** Helm owns nothing: not listed, no Helm marks, no Helm field manager on any object left. */
export async function assertHelmOwnsNothing(ns: string): Promise<void> {
  assert.deepEqual(await helmReleases(ns), []);
  for (const kind of [
    'deployments',
    'statefulsets',
    'services',
    'secrets',
    'configmaps',
    'serviceaccounts',
    'pvc',
  ]) {
    const items = (await kubectlJson<{ items: Meta[] }>(['get', kind, '-n', ns])).items;
    for (const item of items) {
      if (item.metadata.name.startsWith('sh.helm.release')) continue;
      const what = `${kind}/${item.metadata.name}`;
      assert.notEqual(item.metadata.labels?.['app.kubernetes.io/managed-by'], 'Helm', `${what} managed-by`);
      assert.equal(
        item.metadata.annotations?.['meta.helm.sh/release-name'],
        undefined,
        `${what} release-name`,
      );
      assert.deepEqual(
        (item.metadata.managedFields ?? []).filter((f) => f.manager === 'helm'),
        [],
        `${what} has no helm field manager`,
      );
    }
  }
}

/** Claims appear when the StatefulSet controller gets to them. */
export async function waitForClaims(ns: string, names: readonly string[]): Promise<void> {
  for (let i = 0; i < 120; i++) {
    const uids = await claimUids(ns);
    if (names.every((name) => uids[name])) return;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  assert.fail(`claims ${names.join(', ')} did not appear`);
}

/** `berth upgrade` of an adopted release with the values adoption wrote and one change of the user's. */
/** A later upgrade of an adopted release with one `--set`: no file from the adoption is needed. */
export async function upgradeAdopted(ns: string, release: string, blueprint: string, set: string) {
  const upgrade = await berth(['upgrade', release, blueprint, '-n', ns, '--set', set]);
  assertOk(upgrade, 'upgrade');
  assert.match(upgrade.stdout, /revision 2/);
}

/**
 * `berth adopt helm <release> <blueprint>`, timed, writing the values it derived to a file: the
 * release is berth's at revision 1 and each of the chart's claims kept its UID.
 */
export async function adoptKeepingClaims(
  t: TestContext,
  ns: string,
  release: string,
  blueprint: string,
  claims: readonly string[],
  uidsBefore: Record<string, string>,
) {
  const valuesOut = join(mkdtempSync(join(tmpdir(), `berth-adopt-${blueprint}-`)), 'adopted.yaml');
  const started = Date.now();
  const adopt = await berth(['adopt', 'helm', release, blueprint, '-n', ns, '--values-out', valuesOut]);
  assertOk(adopt, 'adopt');
  t.diagnostic(`adopt took ${((Date.now() - started) / 1000).toFixed(1)} s`);
  assert.match(adopt.stdout, new RegExp(`release ${release} is deployed by berth at revision 1`));
  const uidsAfter = await claimUids(ns);
  for (const claim of claims) assert.equal(uidsAfter[claim], uidsBefore[claim], `${claim} kept`);
  return { adopt, uidsAfter, valuesOut };
}
