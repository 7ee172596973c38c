/**
 * A tiny semver range check for `blueprint.kubeVersion`: comparators `>=`, `>`, `<=`, `<`, `=` (or
 * a bare version), joined by spaces (AND) and optionally `||` (OR). Pre-release and build suffixes
 * of the server version (`v1.28.3-gke.1200`, `v1.30.0+k3s1`) are ignored, as Kubernetes vendors
 * tag their builds that way and mean the release itself.
 */
import { BerthError } from '../errors.ts';

export type Version = readonly [major: number, minor: number, patch: number];

const VERSION = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:[-+].*)?$/;
const COMPARATOR = /^(>=|<=|>|<|=)?\s*(\S+)$/;

/** `v1.35.4`, `1.24`, `1.28.3-gke.1200` → [major, minor, patch]; undefined when it is no version. */
export function parseVersion(text: string): Version | undefined {
  const match = VERSION.exec(text.trim());
  if (!match) return undefined;
  return [Number(match[1]), Number(match[2] ?? 0), Number(match[3] ?? 0)];
}

export function compareVersions(a: Version, b: Version): number {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
  return 0;
}

export function formatVersion(version: Version): string {
  return version.join('.');
}

interface Comparator {
  readonly operator: '>=' | '<=' | '>' | '<' | '=';
  readonly version: Version;
}

function invalidRange(range: string, why: string): BerthError {
  return new BerthError('BERTH_KUBE_VERSION_RANGE', `kubeVersion range "${range}": ${why}`, {
    hint: 'use comparators such as ">=1.24.0 <1.36.0" (>=, >, <=, <, =; spaces mean AND, || means OR)',
  });
}

/** Splits `>= 1.24.0 <1.36` into comparators, allowing a space after the operator. */
function parseComparators(range: string, part: string): Comparator[] {
  const tokens = part.trim().split(/\s+/).filter(Boolean);
  const joined: string[] = [];
  for (const token of tokens) {
    const previous = joined.at(-1);
    if (previous !== undefined && /^(>=|<=|>|<|=)$/.test(previous))
      joined[joined.length - 1] = previous + token;
    else joined.push(token);
  }
  if (joined.length === 0) throw invalidRange(range, 'empty comparator set');
  return joined.map((token) => {
    const match = COMPARATOR.exec(token);
    const version = match ? parseVersion(match[2]!) : undefined;
    if (!match || !version) throw invalidRange(range, `"${token}" is not a comparator`);
    return { operator: (match[1] ?? '=') as Comparator['operator'], version };
  });
}

function holds(comparator: Comparator, version: Version): boolean {
  const order = compareVersions(version, comparator.version);
  switch (comparator.operator) {
    case '>=':
      return order >= 0;
    case '>':
      return order > 0;
    case '<=':
      return order <= 0;
    case '<':
      return order < 0;
    case '=':
      return order === 0;
  }
}

/** Throws BerthError when the range cannot be parsed. */
export function checkRange(range: string): void {
  for (const part of range.split('||')) parseComparators(range, part);
}

/** Whether `version` satisfies `range`; an empty range (or `*`) allows every version. */
export function satisfies(version: Version, range: string): boolean {
  const trimmed = range.trim();
  if (trimmed === '' || trimmed === '*') return true;
  return trimmed
    .split('||')
    .some((part) => parseComparators(trimmed, part).every((comparator) => holds(comparator, version)));
}
