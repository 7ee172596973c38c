import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { getBlueprint } from '../../src/blueprints/registry.ts';
import { contract } from '../../src/blueprints/swanlab/contract.ts';
import { render } from '../../src/render/render.ts';
import { checkContract } from '../../src/verify/contract.ts';
import { variants } from '../matrix/swanlab.ts';
import { find, fixedSecrets } from '../support/render.ts';

async function renderValues(values: unknown) {
  return render(await getBlueprint('swanlab'), values, {
    release: 'sl',
    namespace: 'tracking',
    secretValues: fixedSecrets,
  });
}

describe('swanlab upstream contract', () => {
  test('pins the version the facts were read at', async () => {
    assert.equal(contract.upstreamVersion, (await getBlueprint('swanlab')).appVersion);
  });

  for (const [name, values] of Object.entries(variants)) {
    for (const networkPolicy of [false, true]) {
      test(`variant ${name}${networkPolicy ? ' with network policies' : ''} keeps every upstream fact`, async () => {
        const result = await renderValues({
          ...(values as object),
          networkPolicy: { enabled: networkPolicy },
        });
        assert.deepEqual(checkContract(contract, result), []);
      });
    }
  }

  test('the gateway NetworkPolicy admits pods: next calls the API through it, ingress controllers are pods', async () => {
    const result = await renderValues({
      networkPolicy: { enabled: true },
      ingress: { enabled: true, host: 'sl.example.com' },
    });
    const policy = find(result, 'NetworkPolicy', 'sl-gateway') as any;
    const rules = policy.spec.ingress as { from?: unknown[]; ports: unknown[] }[];
    // A rule without `from` admits every source; ipBlock-only peers do not cover pod addresses on every CNI.
    assert.ok(
      rules.some((rule) => rule.from === undefined),
      JSON.stringify(rules),
    );
  });
});
