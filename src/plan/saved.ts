/**
 * A saved plan (`berth plan --save <file>`): the plan document plus what `berth upgrade
 * --plan-file <file>` needs to apply exactly it — the blueprint version, a digest of the values
 * and the rotated Secrets, and the cluster state the plan saw (ClusterPin). No value is kept, only
 * its digest, so the file holds no credential; the upgrade is given the same values again.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Blueprint } from '../blueprints/blueprint.ts';
import { BerthError, ExitCode } from '../errors.ts';
import { type Plan, planDocument } from './plan.ts';

export const SAVED_PLAN_KIND = 'SavedPlan';

export interface PlanInputs {
  readonly blueprint: Pick<Blueprint, 'name' | 'version'>;
  readonly values: Record<string, unknown>;
  readonly rotateSecrets: readonly string[];
}

const savedPlanSchema = z.object({
  apiVersion: z.literal('berth.dev/v1'),
  kind: z.literal(SAVED_PLAN_KIND),
  release: z.string(),
  namespace: z.string(),
  blueprint: z.object({ name: z.string(), version: z.string() }),
  inputsDigest: z.string(),
  pin: z.object({
    revision: z.number().int().nullable(),
    objects: z.record(z.string(), z.string().nullable()),
  }),
  plan: z.record(z.string(), z.unknown()),
});

export type SavedPlan = z.infer<typeof savedPlanSchema>;

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, canonical((value as Record<string, unknown>)[key])]),
    );
  return value;
}

/** Values and rotated Secrets, digested: equal inputs render equal objects against an unmoved cluster. */
export function inputsDigest(inputs: PlanInputs): string {
  const rotate = [...inputs.rotateSecrets].sort();
  return createHash('sha256')
    .update(JSON.stringify(canonical({ values: inputs.values, rotate })))
    .digest('hex');
}

export function savedPlan(plan: Plan, inputs: PlanInputs): SavedPlan {
  if (!plan.pin) throw new BerthError('BERTH_PLAN_KIND', `a ${plan.kind} cannot be saved for an upgrade`);
  return {
    apiVersion: 'berth.dev/v1',
    kind: SAVED_PLAN_KIND,
    release: plan.release,
    namespace: plan.namespace,
    blueprint: { name: inputs.blueprint.name, version: inputs.blueprint.version },
    inputsDigest: inputsDigest(inputs),
    pin: { revision: plan.pin.revision, objects: { ...plan.pin.objects } },
    plan: planDocument(plan),
  };
}

/** The saved plan in `text` (the file `label` names), or a one-line error (exit 1). */
export function parseSavedPlan(text: string, label: string): SavedPlan {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new BerthError(
      'BERTH_PLAN_FILE',
      `${label}: not JSON; expected a file written by berth plan --save`,
    );
  }
  const parsed = savedPlanSchema.safeParse(json);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  throw new BerthError(
    'BERTH_PLAN_FILE',
    `${label}: ${issue.path.join('.') || '(root)'}: ${issue.message}; expected a file written by berth plan --save`,
  );
}

function refuse(what: string): never {
  throw new BerthError(
    'BERTH_PLAN_MISMATCH',
    `the saved plan does not match this upgrade: ${what}; nothing was changed`,
    {
      exitCode: ExitCode.runtime,
      hint: 'upgrade with the values the plan was saved with, or run berth plan --save again',
    },
  );
}

/** Refuses (exit 3) an upgrade whose release, blueprint version or inputs differ from the plan's. */
export function checkSavedPlan(
  saved: SavedPlan,
  upgrade: PlanInputs & { readonly release: string; readonly namespace: string },
): void {
  if (saved.release !== upgrade.release || saved.namespace !== upgrade.namespace)
    refuse(
      `it is for release ${saved.release} in ${saved.namespace}, not ${upgrade.release} in ${upgrade.namespace}`,
    );
  const { name, version } = upgrade.blueprint;
  if (saved.blueprint.name !== name || saved.blueprint.version !== version)
    refuse(
      `it was planned with blueprint ${saved.blueprint.name} ${saved.blueprint.version}, not ${name} ${version}`,
    );
  if (saved.inputsDigest !== inputsDigest(upgrade))
    refuse("the values or --rotate-secret differ from the plan's");
}
