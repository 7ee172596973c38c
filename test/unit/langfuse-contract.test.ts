import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { contract } from '../../src/blueprints/langfuse/contract.ts';
import { getBlueprint } from '../../src/blueprints/registry.ts';
import { render } from '../../src/render/render.ts';
import { checkContract } from '../../src/verify/contract.ts';
import { variants } from '../matrix/langfuse.ts';
import { envOf, find, fixedSecrets, podSpec } from '../support/render.ts';

async function renderValues(values: unknown) {
  return render(await getBlueprint('langfuse'), values, {
    release: 'lf',
    namespace: 'obs',
    secretValues: fixedSecrets,
  });
}

describe('langfuse upstream contract', () => {
  test('pins the version the facts were read at', async () => {
    assert.equal(contract.upstreamVersion, (await getBlueprint('langfuse')).appVersion);
    for (const fact of contract.facts) assert.match(fact.source.ref, /^v3\./, fact.id);
  });

  for (const [name, values] of Object.entries(variants)) {
    test(`variant ${name} keeps every upstream fact`, async () => {
      const result = await renderValues(values);
      assert.deepEqual(checkContract(contract, result), []);
    });
  }

  test('TLS to ClickHouse goes through CLICKHOUSE_MIGRATION_SSL, never a query on the migration URL', async () => {
    // up.sh builds "${CLICKHOUSE_MIGRATION_URL}?username=…": a URL with its own '?' gets a second one.
    const result = await renderValues(variants['clickhouse-external-tls']);
    for (const component of ['lf-web', 'lf-worker']) {
      const env = envOf(find(result, 'Deployment', component));
      assert.equal(env.CLICKHOUSE_MIGRATION_URL, 'clickhouse://ch.example.internal:9000');
      assert.equal(env.CLICKHOUSE_MIGRATION_SSL, 'true');
      assert.equal(env.CLICKHOUSE_URL, 'https://ch.example.internal:8123');
    }
    const plain = envOf(find(await renderValues({}), 'Deployment', 'lf-web'));
    assert.equal(plain.CLICKHOUSE_MIGRATION_SSL, undefined);
  });

  test('the bundled MinIO creates the batch-export bucket when batch export is on', async () => {
    const result = await renderValues(variants['minio-separate-buckets']);
    const args = podSpec(find(result, 'StatefulSet', 'lf-minio')).containers[0].args[0] as string;
    assert.match(args, /^mkdir -p \/data\/lf-events \/data\/lf-media \/data\/lf-exports && exec minio/);
    const off = await renderValues({ integrations: { s3: { batchExport: { bucket: 'unused' } } } });
    assert.doesNotMatch(podSpec(find(off, 'StatefulSet', 'lf-minio')).containers[0].args[0], /unused/);
  });

  test('migrations run once, in the migrate Job, not in every web replica', async () => {
    for (const values of [{}, variants.production]) {
      const result = await renderValues(values);
      const job = podSpec(find(result, 'Job', 'lf-migrate')).containers[0];
      assert.deepEqual([...job.command, ...job.args], ['dumb-init', '--', './web/entrypoint.sh', 'true']);
      const web = envOf(find(result, 'Deployment', 'lf-web'));
      assert.equal(web.LANGFUSE_AUTO_POSTGRES_MIGRATION_DISABLED, 'true');
      assert.equal(web.LANGFUSE_AUTO_CLICKHOUSE_MIGRATION_DISABLED, 'true');
    }
    const withPolicies = await renderValues({ networkPolicy: { enabled: true } });
    for (const dependency of ['lf-postgresql', 'lf-clickhouse']) {
      const policy = find(withPolicies, 'NetworkPolicy', dependency) as any;
      const callers = policy.spec.ingress[0].from.map(
        (f: any) => f.podSelector.matchLabels['app.kubernetes.io/component'],
      );
      assert.ok(callers.includes('migrate'), `${dependency} admits the migrate Job`);
    }
  });

  test('a ClickHouse cluster not named default is warned about', async () => {
    const result = await renderValues({
      integrations: { clickhouse: { enabled: true, host: 'ch', existingSecret: 'ch', cluster: 'langfuse' } },
    });
    assert.ok(
      result.warnings.some((w) => w.includes('ON CLUSTER default')),
      result.warnings.join('\n'),
    );
    assert.deepEqual(
      checkContract(contract, result).map((v) => v.fact),
      ['web.clickhouse-cluster-name'],
    );
  });
});
