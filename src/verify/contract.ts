/**
 * An upstream contract: the facts a platform's own source demands at the version a blueprint pins
 * (required settings and their formats, minimum lengths, services it dials, ports, users, writable
 * paths, capabilities). Each fact names where it was read and checks a rendered release against it.
 * Contracts live next to their blueprint (`src/blueprints/<name>/contract.ts`) and run in
 * `berth lint` and in the unit tests' option matrix.
 */
import type { RenderResult } from '../render/render.ts';
import type { ResolvedEnv } from './container-env.ts';
import { type ReleaseView, releaseView } from './view.ts';

/** Where a fact was read: repository, tag or commit, file (and optionally the symbol or line). */
export interface UpstreamSource {
  readonly repo: string;
  readonly ref: string;
  readonly file: string;
  readonly symbol?: string;
}

export interface ContractFact {
  /** Stable id, `<component>.<what>`, e.g. `server.api-token-length`. */
  readonly id: string;
  /** One sentence: what the upstream code requires or does. */
  readonly fact: string;
  readonly source: UpstreamSource;
  /**
   * Problems of this release against the fact (empty when it holds or does not apply, e.g. the
   * component is disabled). Facts that are documentation only (nothing to check) omit it.
   */
  check?(release: ReleaseView): readonly string[];
}

export interface UpstreamContract {
  readonly blueprint: string;
  /** The upstream version the facts were read at; equals the blueprint's appVersion. */
  readonly upstreamVersion: string;
  readonly facts: readonly ContractFact[];
}

export interface ContractViolation {
  readonly fact: string;
  readonly message: string;
  readonly source: UpstreamSource;
}

export function checkContract(contract: UpstreamContract, result: RenderResult): ContractViolation[] {
  const view = releaseView(result);
  return contract.facts.flatMap((fact) =>
    (fact.check?.(view) ?? []).map((message) => ({ fact: fact.id, message, source: fact.source })),
  );
}

export function sourceReference(source: UpstreamSource): string {
  return `${source.repo}@${source.ref}:${source.file}${source.symbol ? ` (${source.symbol})` : ''}`;
}

/** Both variables read the same Secret key (or carry the same literal): keys two components must share. */
export function sameSecret(a: ResolvedEnv | undefined, b: ResolvedEnv | undefined): boolean {
  if (!a || !b) return false;
  if (a.ref && b.ref)
    return a.ref.kind === b.ref.kind && a.ref.name === b.ref.name && a.ref.key === b.ref.key;
  return a.value !== undefined && a.value === b.value;
}
