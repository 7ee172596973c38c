/**
 * A fleet file: the releases `berth apply` keeps at their values, as helmfile users list them.
 *
 *   releases:
 *     - name: router-a            # release name
 *       namespace: team-a
 *       blueprint: model-router
 *       values: [a.yaml]          # files, relative to the fleet file
 *       set: [router.logLevel=DEBUG]
 */
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { BerthError } from '../errors.ts';
import { readInputFile } from '../input.ts';
import { checkNamespace, checkReleaseName } from '../names.ts';
import { parseYamlInput } from '../yaml.ts';

const fleetSchema = z.strictObject({
  releases: z
    .array(
      z.strictObject({
        name: z.string().min(1),
        namespace: z.string().min(1),
        blueprint: z.string().min(1),
        values: z.array(z.string().min(1)).default([]),
        set: z.array(z.string().min(1)).default([]),
      }),
    )
    .min(1),
});

export interface FleetRelease {
  readonly name: string;
  readonly namespace: string;
  readonly blueprint: string;
  /** Values files, resolved against the fleet file's folder. */
  readonly values: readonly string[];
  readonly set: readonly string[];
}

/** berth's own check of a name, its message prefixed with where in the file the name is. */
function named(where: string, check: () => unknown): void {
  try {
    check();
  } catch (error) {
    if (error instanceof BerthError) throw new BerthError(error.code, `${where}: ${error.message}`);
    throw error;
  }
}

export function loadFleet(path: string): FleetRelease[] {
  const label = `fleet file ${path}`;
  const text = readInputFile(path, { code: 'BERTH_FLEET_FILE', label });
  const parsed = fleetSchema.safeParse(parseYamlInput(text, { code: 'BERTH_FLEET_FILE', source: label }), {
    error: (issue) => (issue.code === 'invalid_type' && issue.input === undefined ? 'required' : undefined),
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const at = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
    throw new BerthError(
      'BERTH_FLEET_FILE',
      `${label}: ${at.replace(/^\./, '') || '(top)'}: ${issue.message}`,
    );
  }
  const seen = new Set<string>();
  for (const [i, release] of parsed.data.releases.entries()) {
    named(`${label}: releases[${i}].name`, () => checkReleaseName(release.name));
    named(`${label}: releases[${i}].namespace`, () => checkNamespace(release.namespace));
    const key = `${release.namespace}/${release.name}`;
    if (seen.has(key))
      throw new BerthError('BERTH_FLEET_FILE', `${label}: releases[${i}]: ${key} is listed twice`);
    seen.add(key);
  }
  const base = dirname(resolve(path));
  return parsed.data.releases.map((r) => ({ ...r, values: r.values.map((file) => resolve(base, file)) }));
}
