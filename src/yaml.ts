import { stringify } from 'yaml';

/**
 * YAML for Kubernetes and for the platforms' own config files. Kubernetes, Helm and SnakeYAML read
 * YAML 1.1, where an unquoted `yes`, `on` or `0755` is not a string; writing 1.1 quotes them.
 */
export function toYaml(data: unknown): string {
  return stringify(data, { version: '1.1', lineWidth: 0 });
}
