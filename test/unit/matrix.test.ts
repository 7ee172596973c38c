/**
 * Every blueprint over its option matrix (test/matrix/<bp>.ts) crossed with the switches every
 * blueprint shares: network policies, ingress, monitoring, autoscaling, and all of them at once
 * (with scheduled backups).
 * Each render must pass the wiring verifier (render refuses otherwise), keep the blueprint's
 * upstream contract, and run every container under the production policy unless it declares a
 * reasoned security exception.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { blueprintNames, getBlueprint, getContract } from '../../src/blueprints/registry.ts';
import type { RenderContext } from '../../src/render/context.ts';
import { SECURITY_EXCEPTION_ANNOTATION } from '../../src/render/policies.ts';
import { type RenderResult, render } from '../../src/render/render.ts';
import { mergeValues } from '../../src/values/merge.ts';
import { checkContract } from '../../src/verify/contract.ts';
import { podTemplateOf } from '../../src/verify/view.ts';
import { fixedSecrets } from '../support/render.ts';

type Json = Record<string, any>;

/** Application components that may be autoscaled: every `services.<name>` that is not a singleton. */
async function scalableServices(name: string): Promise<string[]> {
  const blueprint = await getBlueprint(name);
  const values = blueprint.schema.parse({}) as Json;
  const ctx: RenderContext = {
    release: name,
    namespace: name,
    blueprint: { name, version: blueprint.version, appVersion: blueprint.appVersion },
    common: values as never,
  };
  const singletons = new Set(
    blueprint
      .build(values as never, ctx)
      .components.filter((c) => c.singleton)
      .map((c) => c.name),
  );
  return Object.keys(values.services ?? {}).filter(
    (service) =>
      values.services[service]?.autoscaling &&
      !singletons.has(service.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)),
  );
}

function switches(name: string, scalable: readonly string[]): Record<string, Json> {
  const networkPolicy = { networkPolicy: { enabled: true } };
  const ingress = { ingress: { enabled: true, host: `${name}.example.com` } };
  const monitoring = { monitoring: { serviceMonitor: { enabled: true }, prometheusRule: { enabled: true } } };
  const autoscaling = {
    services: Object.fromEntries(
      scalable.map((s) => [s, { autoscaling: { enabled: true, minReplicas: 2, maxReplicas: 4 } }]),
    ),
  };
  return {
    plain: {},
    'network-policy': networkPolicy,
    ingress,
    monitoring,
    autoscaling,
    'all-on': mergeValues(
      mergeValues(mergeValues(mergeValues(networkPolicy, ingress), monitoring), autoscaling),
      { backup: { schedule: '0 3 * * *' } },
    ) as Json,
  };
}

/** Containers outside the policy must be the ones the pod's annotation declares, with a reason. */
function policyBreaches(result: RenderResult): string[] {
  const breaches: string[] = [];
  for (const { object } of result.manifests) {
    const template = podTemplateOf(object);
    if (!template) continue;
    const declared = String(
      (template.metadata as Json | undefined)?.annotations?.[SECURITY_EXCEPTION_ANNOTATION] ?? '',
    )
      .split('\n')
      .filter(Boolean)
      .map((line) => line.slice(0, line.indexOf(':')));
    const spec = template.spec as Json;
    for (const container of [...(spec.initContainers ?? []), ...spec.containers]) {
      const sc = container.securityContext ?? {};
      const compliant =
        sc.allowPrivilegeEscalation === false &&
        sc.privileged !== true &&
        sc.runAsNonRoot === true &&
        JSON.stringify(sc.capabilities) === JSON.stringify({ drop: ['ALL'] }) &&
        sc.seccompProfile?.type === 'RuntimeDefault';
      if (!compliant && !declared.includes(container.name)) {
        breaches.push(
          `${object.kind}/${object.metadata.name} container ${container.name} breaks the policy without a declared exception`,
        );
      }
      if (compliant && declared.includes(container.name)) {
        breaches.push(
          `${object.kind}/${object.metadata.name} container ${container.name} declares an exception it does not use`,
        );
      }
    }
    if (!declared.length && spec.securityContext?.runAsNonRoot !== true) {
      breaches.push(`${object.kind}/${object.metadata.name}: pod is not runAsNonRoot`);
    }
  }
  return breaches;
}

for (const name of blueprintNames()) {
  describe(`${name}: option matrix`, async () => {
    const { variants } = (await import(`../matrix/${name}.ts`)) as { variants: Record<string, unknown> };
    const blueprint = await getBlueprint(name);
    const contract = await getContract(name);
    const common = switches(name, await scalableServices(name));

    test('has an upstream contract for its pinned version and a matrix', () => {
      assert.ok(contract, `src/blueprints/${name}/contract.ts is missing`);
      assert.equal(contract.upstreamVersion, blueprint.appVersion);
      assert.ok(Object.keys(variants).length >= 3, 'the matrix covers defaults, production and more');
    });

    for (const [variant, values] of Object.entries(variants)) {
      test(`${variant} × shared switches: wired, contract kept, policy or declared exception`, async () => {
        for (const [switchName, extra] of Object.entries(common)) {
          const merged = mergeValues(structuredClone(values) as Json, structuredClone(extra));
          let result: RenderResult;
          try {
            result = await render(blueprint, merged, {
              release: name,
              namespace: name,
              secretValues: fixedSecrets,
            });
          } catch (error) {
            assert.fail(`${variant} + ${switchName}: ${(error as Error).message}`);
          }
          assert.deepEqual(
            checkContract(contract!, result).map((v) => `${v.fact}: ${v.message}`),
            [],
            `${variant} + ${switchName}`,
          );
          assert.deepEqual(policyBreaches(result), [], `${variant} + ${switchName}`);
          if (process.env.MATRIX_TRACE)
            console.log('rendered', name, variant, switchName, result.manifests.length);
        }
      });
    }
  });
}
