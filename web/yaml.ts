/** YAML in the browser, with the same library the CLI reads values files with. */
import { stringify } from 'yaml';

export function toYaml(value: unknown): string {
  return value && typeof value === 'object' && Object.keys(value).length ? stringify(value) : '';
}
