/**
 * A symbolic render: the blueprint rendered with stand-ins for the release name, the namespace and
 * every generated secret value, so an exporter can see exactly where each lands and put a template
 * expression there instead. Everything else is the rendered object, verbatim.
 *
 * The render runs twice with different stand-ins; both must give the same symbolic release, which
 * proves that nothing else depends on them (no hash of the release name, no transformed password).
 */
import { createHash } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type { Blueprint } from '../blueprints/blueprint.ts';
import { BerthError } from '../errors.ts';
import { contentChecksum } from '../render/config-objects.ts';
import type { RenderContext } from '../render/context.ts';
import type { GeneratedValue, Stage } from '../render/model.ts';
import { type RenderResult, render } from '../render/render.ts';
import { validateValues } from '../values/validate.ts';

/** A value that only exists once the chart is installed. */
export type Token =
  | { readonly kind: 'release' }
  | { readonly kind: 'namespace' }
  | { readonly kind: 'generated'; readonly id: number }
  /** The content checksum of a config object whose content holds tokens. */
  | { readonly kind: 'checksum'; readonly id: number }
  /** A pod template's `berth.dev/config-checksum`: sha256 of its inputs' checksums joined by ",". */
  | { readonly kind: 'podChecksum'; readonly inputs: readonly (string | Token)[] };

/** A string made of literal text and tokens. */
export class Expr {
  readonly segments: readonly (string | Token)[];
  constructor(segments: readonly (string | Token)[]) {
    this.segments = segments;
  }
}

export type SymbolicValue = string | number | boolean | null | Expr | SymbolicValue[] | SymbolicMap;
export interface SymbolicMap {
  [key: string]: SymbolicValue;
}

export interface GeneratedSlot {
  readonly id: number;
  /** The Secret that keeps the value, as the chart finds it again. */
  readonly secret: Expr;
  readonly namespace: Expr;
  readonly key: string;
  readonly spec: GeneratedValue;
}

export interface ComputedChecksum {
  readonly id: number;
  /** The config object's data (ConfigMap) or stringData (Secret), as symbolic strings. */
  readonly content: Readonly<Record<string, Expr>>;
}

export interface SymbolicManifest {
  readonly stage: Stage;
  readonly component?: string;
  readonly kind: string;
  /** The object's name with the release name as `release`, for file names. */
  readonly shortName: string;
  readonly object: SymbolicMap;
}

export interface SymbolicRelease {
  readonly manifests: readonly SymbolicManifest[];
  readonly generated: readonly GeneratedSlot[];
  readonly checksums: readonly ComputedChecksum[];
  readonly notes: readonly Expr[];
  readonly values: unknown;
}

interface Stand {
  readonly release: string;
  readonly namespace: string;
  readonly secret: (id: number) => string;
}

const STANDS: readonly Stand[] = [
  { release: 'zxq-rla', namespace: 'zxq-nsa', secret: (id) => `ZXQS${id}AZ` },
  { release: 'zxq-rlb', namespace: 'zxq-nsb', secret: (id) => `ZXQS${id}BZ` },
];

const STAND_PATTERN = /zxq-rl[ab]|zxq-ns[ab]|ZXQS(\d+)[AB]Z/g;

function segmentsOf(text: string): (string | Token)[] {
  const segments: (string | Token)[] = [];
  let last = 0;
  for (const match of text.matchAll(STAND_PATTERN)) {
    if (match.index > last) segments.push(text.slice(last, match.index));
    const found = match[0];
    segments.push(
      found.startsWith('zxq-rl')
        ? { kind: 'release' }
        : found.startsWith('zxq-ns')
          ? { kind: 'namespace' }
          : { kind: 'generated', id: Number(match[1]) },
    );
    last = match.index + found.length;
  }
  if (last < text.length) segments.push(text.slice(last));
  return segments;
}

function symbolicString(text: string): string | Expr {
  return text.search(STAND_PATTERN) >= 0 ? new Expr(segmentsOf(text)) : text;
}

function symbolic(value: unknown, where: string): SymbolicValue {
  if (typeof value === 'string') return symbolicString(value);
  if (Array.isArray(value)) return value.map((item, i) => symbolic(item, `${where}[${i}]`));
  if (value !== null && typeof value === 'object') {
    const out: SymbolicMap = {};
    for (const [key, item] of Object.entries(value)) {
      if (typeof symbolicString(key) !== 'string') {
        throw new Error(`export: the key ${where}.${key} depends on the release name or a secret`);
      }
      out[key] = symbolic(item, `${where}.${key}`);
    }
    return out;
  }
  return value as number | boolean | null;
}

function hasTokens(value: SymbolicValue): boolean {
  if (value instanceof Expr) return true;
  if (Array.isArray(value)) return value.some(hasTokens);
  if (value !== null && typeof value === 'object') return Object.values(value).some(hasTokens);
  return false;
}

const CONFIG_CHECKSUM = 'berth.dev/config-checksum';

interface Rendered {
  readonly result: RenderResult;
  readonly slots: { secret: string; key: string; spec: GeneratedValue }[];
  readonly rollOn: ReadonlyMap<string, readonly string[]>;
}

async function renderWith(blueprint: Blueprint, userValues: unknown, stand: Stand): Promise<Rendered> {
  const slots: Rendered['slots'] = [];
  const result = await render(blueprint, userValues, {
    release: stand.release,
    namespace: stand.namespace,
    secretValues: (secret, key, spec) => {
      slots.push({ secret, key, spec });
      return stand.secret(slots.length - 1);
    },
  });
  // The pods' config checksums are computed from the config objects each component rolls on.
  const values = validateValues(blueprint.schema, userValues);
  const ctx: RenderContext = {
    release: stand.release,
    namespace: stand.namespace,
    blueprint: result.blueprint,
    common: values,
  };
  const platform = blueprint.build(values, ctx);
  const rollOn = new Map(
    platform.components.map((c) => [c.name, [...(c.rollOn?.configMaps ?? []), ...(c.rollOn?.secrets ?? [])]]),
  );
  return { result, slots, rollOn };
}

function configObjectFinder(
  result: RenderResult,
  release: string,
): (shortName: string) => number | undefined {
  // As in render: a ConfigMap and a Secret of the same short name resolve to the ConfigMap.
  return (shortName) => {
    const name = `${release}-${shortName}`;
    const index = (kind: string) =>
      result.manifests.findIndex((m) => m.object.kind === kind && m.object.metadata.name === name);
    const found = [index('ConfigMap'), index('Secret')].find((i) => i >= 0);
    return found;
  };
}

function podTemplateAnnotations(object: SymbolicMap): SymbolicMap | undefined {
  let spec = object.spec as SymbolicMap | undefined;
  if (spec?.jobTemplate) spec = (spec.jobTemplate as SymbolicMap).spec as SymbolicMap | undefined;
  const template = spec?.template as SymbolicMap | undefined;
  return (template?.metadata as SymbolicMap | undefined)?.annotations as SymbolicMap | undefined;
}

function symbolize(rendered: Rendered, stand: Stand): SymbolicRelease {
  const { result, slots, rollOn } = rendered;
  const objects = result.manifests.map((m) => symbolic(m.object, m.object.kind) as SymbolicMap);
  const checksumIds = new Map<number, number>();
  const checksums: ComputedChecksum[] = [];
  const checksumOf = (index: number): string | Token => {
    const object = objects[index]!;
    const content = (object.kind === 'Secret' ? object.stringData : object.data) as SymbolicMap;
    if (!hasTokens(content)) return contentChecksum(result.manifests[index]!.object);
    if (!checksumIds.has(index)) {
      const id = checksums.length;
      checksumIds.set(index, id);
      const exprs = Object.fromEntries(
        Object.entries(content).map(([key, value]) => [
          key,
          value instanceof Expr ? value : new Expr([String(value)]),
        ]),
      );
      checksums.push({ id, content: exprs });
    }
    return { kind: 'checksum', id: checksumIds.get(index)! };
  };
  const find = configObjectFinder(result, stand.release);

  result.manifests.forEach((manifest, i) => {
    const annotations = podTemplateAnnotations(objects[i]!);
    const rendered = annotations?.[CONFIG_CHECKSUM];
    if (typeof rendered !== 'string') return;
    const inputs = (rollOn.get(manifest.component ?? '') ?? [])
      .map(find)
      .filter((index): index is number => index !== undefined);
    const expected = createHash('sha256')
      .update(inputs.map((index) => contentChecksum(result.manifests[index]!.object)).join(','))
      .digest('hex');
    if (expected !== rendered) {
      throw new Error(
        `export: cannot trace the config checksum of ${manifest.object.kind} ${manifest.object.metadata.name}`,
      );
    }
    const parts = inputs.map(checksumOf);
    if (parts.some((part) => typeof part !== 'string'))
      annotations![CONFIG_CHECKSUM] = new Expr([{ kind: 'podChecksum', inputs: parts }]);
  });

  const generated = slots.map((slot, id) => {
    const index = result.manifests.findIndex(
      (m) => m.object.kind === 'Secret' && m.object.metadata.name === slot.secret,
    );
    const namespace = result.manifests[index]?.object.metadata.namespace ?? stand.namespace;
    return {
      id,
      secret: asExpr(slot.secret),
      namespace: asExpr(namespace),
      key: slot.key,
      spec: slot.spec,
    };
  });

  return {
    manifests: result.manifests.map((m, i) => ({
      stage: m.stage,
      ...(m.component ? { component: m.component } : {}),
      kind: m.object.kind,
      shortName: m.object.metadata.name.replaceAll(stand.release, 'release'),
      object: objects[i]!,
    })),
    generated,
    checksums,
    notes: result.notes.map(asExpr),
    values: result.values,
  };
}

function asExpr(text: string): Expr {
  const value = symbolicString(text);
  return value instanceof Expr ? value : new Expr([value]);
}

/**
 * The release as template material. Fails with a clear error when something in the rendered
 * objects depends on the release name, namespace or a generated secret in a way a template
 * cannot reproduce by substitution.
 */
export async function symbolicRelease(blueprint: Blueprint, userValues: unknown): Promise<SymbolicRelease> {
  const [first, second] = await Promise.all(STANDS.map((stand) => renderWith(blueprint, userValues, stand)));
  const a = symbolize(first!, STANDS[0]!);
  const b = symbolize(second!, STANDS[1]!);
  const differs = a.manifests.find((m, i) => !isDeepStrictEqual(m, b.manifests[i]));
  if (differs || a.manifests.length !== b.manifests.length || !isDeepStrictEqual(a.generated, b.generated)) {
    throw new BerthError(
      'BERTH_EXPORT',
      `cannot export ${blueprint.name}: ${differs ? `${differs.kind} ${differs.shortName}` : 'the release'} depends on the release name, namespace or a generated secret in a way a template cannot reproduce`,
      { hint: 'install it with berth install, which renders it for the real release' },
    );
  }
  return a;
}
