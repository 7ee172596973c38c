/** schema: a blueprint's values schema as JSON Schema (editors, values.schema.json, the console). */
import { z } from 'zod';
import type { Blueprint } from '../blueprints/blueprint.ts';

export function schema(blueprint: Blueprint): Record<string, unknown> {
  const jsonSchema = z.toJSONSchema(blueprint.schema, { io: 'input', unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
  return { ...jsonSchema, title: `${blueprint.name} values (berth blueprint ${blueprint.version})` };
}
