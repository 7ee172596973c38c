/**
 * Values text checked against a blueprint's JSON Schema: each problem as the `values <path>: …` line
 * the console lists and as the range of the YAML text it is about (the editor marks it there).
 * Plain TypeScript without the DOM, so node's tests import it as it is.
 */
import type { ErrorObject } from 'ajv';
import { type Document, isAlias, isMap, isScalar, isSeq, type Node, parseDocument } from 'yaml';

interface Range {
  readonly from: number;
  readonly to: number;
}

export interface Problem extends Range {
  readonly message: string;
}

/** An ajv validate function, as `compile` returns it. */
export type Validate = ((data: unknown) => boolean) & { errors?: ErrorObject[] | null };

/** A located node: the node itself (absent when the path leads nowhere) and the key it is under. */
interface Located {
  readonly node?: Node;
  readonly key?: Node;
}

function pointerSegments(instancePath: string): string[] {
  return instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function valuesPath(segments: readonly string[]): string {
  return (
    segments.reduce((out, s) => (/^\d+$/.test(s) ? `${out}[${s}]` : out ? `${out}.${s}` : s), '') || '(root)'
  );
}

/** The property an error is about beyond its instance path: an unknown key or a missing one. */
function namedProperty(error: ErrorObject): string | undefined {
  if (error.keyword === 'additionalProperties')
    return String((error.params as { additionalProperty: string }).additionalProperty);
  if (error.keyword === 'required')
    return String((error.params as { missingProperty: string }).missingProperty);
  return undefined;
}

/** A map's entry or a sequence's item, looked up through an alias. */
function child(doc: Document, parent: Node | undefined, segment: string): Located {
  const container = isAlias(parent) ? parent.resolve(doc) : parent;
  if (isMap(container)) {
    const pair = container.items.find((p) => isScalar(p.key) && String(p.key.value) === segment);
    return pair ? { node: (pair.value ?? undefined) as Node | undefined, key: pair.key as Node } : {};
  }
  if (isSeq(container) && /^\d+$/.test(segment))
    return { node: (container.items[Number(segment)] ?? undefined) as Node | undefined };
  return {};
}

function locate(doc: Document, segments: readonly string[]): Located {
  return segments.reduce<Located>((at, segment) => child(doc, at.node, segment), {
    node: doc.contents ?? undefined,
  });
}

function nodeRange(node: Node | undefined): Range | undefined {
  const range = node?.range;
  return range && range[1] > range[0] ? { from: range[0], to: range[1] } : undefined;
}

/** A collection without a key of its own (a sequence's item) shows at its first line. */
function firstLineOf(text: string, node: Node | undefined): Range | undefined {
  const range = nodeRange(node);
  if (!range) return undefined;
  const end = text.indexOf('\n', range.from);
  return { from: range.from, to: end < 0 || end > range.to ? range.to : end };
}

function firstLine(text: string): Range {
  const end = text.indexOf('\n');
  return { from: 0, to: end < 0 ? text.length : end };
}

/**
 * Where an error shows: an unknown key itself; for a missing key, the key of the map that lacks it;
 * otherwise the scalar value, or the key of a value that is a collection or empty. A sequence's item
 * without a key shows at its first line; the root and a path without a node at the text's first.
 */
function errorRange(
  doc: Document,
  text: string,
  keyword: string,
  segments: readonly string[],
  property: string | undefined,
): Range {
  const at = locate(doc, segments);
  if (keyword === 'additionalProperties')
    return nodeRange(child(doc, at.node, property ?? '').key) ?? firstLine(text);
  const scalar = keyword !== 'required' && (isScalar(at.node) || isAlias(at.node));
  const item = segments.length ? firstLineOf(text, at.node) : undefined;
  return (scalar ? nodeRange(at.node) : undefined) ?? nodeRange(at.key) ?? item ?? firstLine(text);
}

/** A YAML syntax error at its own position, widened to its line when the parser names no span. */
function syntaxRange(text: string, pos: readonly [number, number]): Range {
  const from = Math.min(pos[0], text.length);
  const to = Math.min(Math.max(pos[1], from), text.length);
  if (to > from) return { from, to };
  const trimmed = text.slice(0, from).trimEnd();
  const start = trimmed.lastIndexOf('\n') + 1;
  return trimmed.length > start ? { from: start, to: trimmed.length } : firstLine(text);
}

/** Every problem of the values text: its YAML syntax first, then the schema. */
export function checkValues(validate: Validate, text: string): Problem[] {
  const doc = parseDocument(text);
  const syntax = doc.errors[0];
  if (syntax)
    return [{ message: `YAML: ${syntax.message.split('\n')[0]}`, ...syntaxRange(text, syntax.pos) }];
  let data: unknown;
  try {
    data = doc.toJS() ?? {};
  } catch (error) {
    return [{ message: `YAML: ${(error as Error).message.split('\n')[0]}`, ...firstLine(text) }];
  }
  if (validate(data)) return [];
  const seen = new Set<string>();
  return (validate.errors ?? [])
    .map((error) => {
      const segments = pointerSegments(error.instancePath);
      const property = namedProperty(error);
      const path = valuesPath(property === undefined ? segments : [...segments, property]);
      return {
        message: `values ${path}: ${error.message}`,
        ...errorRange(doc, text, error.keyword, segments, property),
      };
    })
    .filter((problem) => !seen.has(problem.message) && seen.add(problem.message));
}
