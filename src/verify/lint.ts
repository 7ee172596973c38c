/**
 * `berth lint`: render a blueprint with the given values, then report every wiring finding and
 * every fact of the blueprint's upstream contract the release breaks — all at once, without failing
 * at the first.
 */
import { getBlueprint, getContract } from '../blueprints/registry.ts';
import { render } from '../render/render.ts';
import { type ContractViolation, checkContract, sourceReference } from './contract.ts';
import type { Finding } from './findings.ts';

export interface LintReport {
  readonly blueprint: string;
  readonly version: string;
  readonly findings: readonly Finding[];
  readonly contract?: {
    readonly upstreamVersion: string;
    readonly facts: number;
    readonly violations: readonly (ContractViolation & { readonly reference: string })[];
  };
  readonly errors: number;
  readonly warnings: number;
}

export async function lint(
  name: string,
  values: unknown,
  options: { readonly release?: string; readonly namespace: string },
): Promise<LintReport> {
  const blueprint = await getBlueprint(name);
  const result = await render(blueprint, values, {
    release: options.release ?? blueprint.name,
    namespace: options.namespace,
    wiring: 'collect',
  });
  const contract = await getContract(name);
  const violations = contract
    ? checkContract(contract, result).map((v) => ({ ...v, reference: sourceReference(v.source) }))
    : undefined;
  const findings = result.findings;
  return {
    blueprint: blueprint.name,
    version: blueprint.version,
    findings,
    ...(contract && violations
      ? { contract: { upstreamVersion: contract.upstreamVersion, facts: contract.facts.length, violations } }
      : {}),
    errors: findings.filter((f) => f.level === 'error').length + (violations?.length ?? 0),
    warnings: findings.filter((f) => f.level === 'warning').length,
  };
}
