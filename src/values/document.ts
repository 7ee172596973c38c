/** `berth values`: the defaults as YAML, each key preceded by its description (like `helm show values`). */

import { Document, isMap, isPair, isScalar, type Node, type YAMLMap } from 'yaml';
import type { z } from 'zod';
import { schemaAt } from './schema-walk.ts';

function describeAt(root: z.core.$ZodType, path: readonly string[]): string | undefined {
  // Descriptions sit on the outermost wrapper (default/prefault), so look one level up too.
  const parent = path.length ? schemaAt(root, path.slice(0, -1)) : undefined;
  const shape = (parent?._zod.def as { shape?: Record<string, z.core.$ZodType> } | undefined)?.shape;
  const field = shape?.[path.at(-1)!];
  return field ? (z4Description(field) ?? z4Description(schemaAt(root, path))) : undefined;
}

function z4Description(schema: z.core.$ZodType | undefined): string | undefined {
  return (schema as { description?: string } | undefined)?.description;
}

function annotate(map: YAMLMap, root: z.core.$ZodType, path: string[]): void {
  for (const item of map.items) {
    if (!isPair(item) || !isScalar(item.key)) continue;
    const key = String(item.key.value);
    const childPath = [...path, key];
    const description = describeAt(root, childPath);
    if (description) (item.key as Node).commentBefore = ` ${description}`;
    if (isMap(item.value)) annotate(item.value, root, childPath);
  }
}

/** `values` defaults to the schema's defaults; an exporter passes the values it rendered with. */
export function defaultsDocument(
  schema: z.ZodType,
  header: string,
  values: unknown = schema.parse({}),
): string {
  const document = new Document(values, { version: '1.1' });
  document.commentBefore = header;
  if (isMap(document.contents)) annotate(document.contents, schema, []);
  return document.toString({ lineWidth: 0 });
}
