import { LineCounter, parseDocument, stringify, YAMLMap } from 'yaml';
import { BerthError } from './errors.ts';
import { emitYaml } from './yaml-emit.ts';
import { fastParse } from './yaml-fast-parse.ts';

/**
 * YAML for Kubernetes and for the platforms' own config files. Kubernetes, Helm and SnakeYAML read
 * YAML 1.1, where an unquoted `yes`, `on` or `0755` is not a string; writing 1.1 quotes them.
 */
export function toYaml(data: unknown): string {
  return emitYaml(data) ?? stringify(data, { version: '1.1', lineWidth: 0 });
}

/**
 * What a YAML document a user hands berth (values, compose) may hold. An alias bomb (a few lines
 * expanding to millions of nodes) stops at the alias limit; a document far deeper or larger than any
 * real values or compose file stops at the depth and node limits.
 */
export const YAML_LIMITS = {
  /** The yaml package's cost count of alias expansion (its default is 100; real files go past that). */
  maxAliasCount: 10_000,
  /** Nesting of maps and lists. */
  maxDepth: 64,
  /** Map entries plus list items, counted after aliases are expanded. */
  maxNodes: 120_000,
  /**
   * Lines plus commas, counted before parsing: each node costs the parser about 2 KiB, so a file
   * within the size limit could otherwise hold millions of nodes and exhaust memory.
   */
  maxSeparators: 120_000,
} as const;

export interface YamlInputOptions {
  /** Error code of problems in this input (BERTH_VALUES_YAML, BERTH_COMPOSE_INVALID, …). */
  readonly code: string;
  /** How the error names the input: `values file x.yaml`, `compose file c.yaml`. */
  readonly source: string;
  /** Apply `<<` merge keys (compose files use them). */
  readonly merge?: boolean;
}

/** Parse one YAML document a user wrote, with duplicate keys, aliases, depth and size checked. */
export function parseYamlInput(text: string, options: YamlInputOptions): unknown {
  const lines = new LineCounter();
  const fail = (message: string, offset?: number): never => {
    const at = offset === undefined ? '' : `:${lines.linePos(offset).line}:${lines.linePos(offset).col}`;
    throw new BerthError(options.code, `${options.source}${at}: ${message}`);
  };
  let separators = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if ((ch === 10 || ch === 44) && ++separators > YAML_LIMITS.maxSeparators) {
      fail(`more than ${YAML_LIMITS.maxSeparators} lines and commas; berth reads smaller YAML documents`);
    }
  }
  const fast = options.merge ? undefined : fastParse(text);
  if (fast) {
    checkSize(fast.value, fail);
    return fast.value;
  }
  // The yaml package's own duplicate-key check compares every key with every other (80,000 keys
  // take over a minute); the check below is linear.
  const document = parseDocument(text, {
    uniqueKeys: false,
    merge: options.merge ?? false,
    prettyErrors: false,
    lineCounter: lines,
  });
  const first = document.errors[0];
  if (first) {
    const what = first.code === 'RESOURCE_EXHAUSTION' ? 'nested too deeply' : first.message.split('\n')[0];
    fail(`invalid YAML: ${what}`, first.pos[0]);
  }
  const duplicate = findDuplicateKey(document.contents);
  if (duplicate) fail(`invalid YAML: map keys must be unique ("${duplicate.key}")`, duplicate.offset);
  let data: unknown;
  try {
    data = document.toJS({ maxAliasCount: YAML_LIMITS.maxAliasCount });
  } catch (error) {
    fail(`invalid YAML: ${aliasProblem(error)}`);
  }
  checkSize(data, fail);
  return data;
}

function aliasProblem(error: unknown): string {
  const message = error instanceof Error ? error.message.split('\n')[0]! : String(error);
  if (/resource exhaustion/i.test(message)) {
    return `aliases expand to more than the limit of ${YAML_LIMITS.maxAliasCount} (an alias bomb?)`;
  }
  if (/Unresolved alias/.test(message))
    return 'an alias (*name) refers to an anchor (&name) not set before it';
  if (/Merge sources/.test(message)) return 'a merge key (<<) must refer to a map or a list of maps';
  return message;
}

function findDuplicateKey(root: unknown): { key: string; offset: number | undefined } | undefined {
  const stack: unknown[] = [root];
  while (stack.length) {
    const node = stack.pop();
    if (!node || typeof node !== 'object') continue;
    if (node instanceof YAMLMap) {
      const seen = new Set<unknown>();
      for (const pair of node.items) {
        const key = scalarKey(pair.key);
        if (key !== undefined && key !== '<<') {
          if (seen.has(key)) {
            const range = (pair.key as { range?: [number, number, number] } | null)?.range;
            return { key: String(key), offset: range?.[0] };
          }
          seen.add(key);
        }
        stack.push(pair.value);
      }
    } else if ('items' in node && Array.isArray((node as { items: unknown[] }).items)) {
      for (const item of (node as { items: unknown[] }).items) stack.push(item);
    }
  }
  return undefined;
}

function scalarKey(key: unknown): unknown {
  if (key && typeof key === 'object' && 'value' in key) {
    const value = (key as { value: unknown }).value;
    return value === null || typeof value !== 'object' ? value : undefined;
  }
  return undefined;
}

/** Depth and node count, walking iteratively and stopping at the limit (aliases share objects). */
function checkSize(data: unknown, fail: (message: string) => never): void {
  let nodes = 0;
  const stack: [unknown, number][] = [[data, 0]];
  while (stack.length) {
    const [value, depth] = stack.pop()!;
    if (!value || typeof value !== 'object') continue;
    if (depth >= YAML_LIMITS.maxDepth) fail(`nested deeper than ${YAML_LIMITS.maxDepth} levels`);
    const children = Array.isArray(value) ? value : Object.values(value);
    nodes += children.length;
    if (nodes > YAML_LIMITS.maxNodes) fail(`more than ${YAML_LIMITS.maxNodes} keys and list items`);
    for (const child of children) stack.push([child, depth + 1]);
  }
}
