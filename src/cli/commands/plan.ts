/** plan and drift: what an upgrade would change, and what changed behind berth's back. */
import type { Command } from 'commander';
import { drift } from '../../actions/drift.ts';
import { plan } from '../../actions/plan.ts';
import { getBlueprint } from '../../blueprints/registry.ts';
import { dataSafety } from '../../inspect/data-safety.ts';
import { useColor } from '../../plan/diff.ts';
import { formatPlan } from '../../plan/format.ts';
import { hasChanges, type Plan, planDocument } from '../../plan/plan.ts';
import { savedPlan } from '../../plan/saved.ts';
import { collectUserValues } from '../../values/sources.ts';
import { type ClusterFlags, clusterOptions, clusterTarget } from '../cluster-options.ts';
import { formatDataSafety } from '../data-safety.ts';
import { note, OUTPUT_FORMATS, parseOutputFormat, printJson } from '../output.ts';
import { checkOutputFile, writeCheckedFile } from '../output-dir.ts';
import { addValueOptions, valueSources } from '../value-options.ts';

interface PlanFlags extends ClusterFlags {
  exitCode?: boolean;
}

/** Exit status of `--exit-code` when there are changes (0 when there are none), like `git diff`. */
export const CHANGES_EXIT_CODE = 2;

function withPlanOptions(command: Command): Command {
  return clusterOptions(command).option(
    '--exit-code',
    `exit ${CHANGES_EXIT_CODE} when there are changes, 0 when there are none (CI gates)`,
  );
}

/** Prints a plan (stdout) and its notes (stderr); sets the exit code for --exit-code. */
export function printPlan(plan: Plan, flags: Pick<PlanFlags, 'output' | 'exitCode'>): void {
  const json = parseOutputFormat(flags.output, OUTPUT_FORMATS) === 'json';
  const safety = plan.kind === 'Plan' ? dataSafety(plan) : undefined;
  if (json) printJson({ ...planDocument(plan), ...(safety ? { dataSafety: safety } : {}) });
  else {
    process.stdout.write(formatPlan(plan, { color: useColor(process.stdout) }));
    if (safety) process.stdout.write(`\n${formatDataSafety(safety)}`);
    for (const line of plan.notes) note(`note: ${line}`);
  }
  if (flags.exitCode && hasChanges(plan)) process.exitCode = CHANGES_EXIT_CODE;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export function registerPlanCommands(program: Command): void {
  addValueOptions(
    withPlanOptions(
      program
        .command('plan')
        .description(
          'show what an upgrade would change: a server-side dry run diffed against the live objects (secrets redacted)',
        )
        .argument('<release>')
        .argument('<blueprint>'),
    ),
  )
    .option('--rotate-secret <name>', 'plan new values for this generated Secret (repeatable)', collect, [])
    .option(
      '--save <file>',
      'also write the plan to this file, for berth upgrade --plan-file to apply exactly it',
    )
    .action(
      async (
        release: string,
        name: string,
        flags: PlanFlags & { values: string[]; rotateSecret: string[]; save?: string },
      ) => {
        if (flags.save) checkOutputFile('--save', flags.save);
        const blueprint = await getBlueprint(name);
        const values = collectUserValues(valueSources(flags.values, process.argv));
        parseOutputFormat(flags.output, OUTPUT_FORMATS);
        const planned = await plan({
          cluster: clusterTarget(flags),
          release,
          blueprint,
          values,
          rotateSecrets: flags.rotateSecret,
        });
        if (flags.save) {
          const saved = savedPlan(planned, { blueprint, values, rotateSecrets: flags.rotateSecret });
          writeCheckedFile('--save', flags.save, `${JSON.stringify(saved, null, 2)}\n`);
        }
        printPlan(planned, flags);
        if (flags.save)
          note(`plan saved to ${flags.save}; apply exactly it with berth upgrade --plan-file ${flags.save}`);
      },
    );

  withPlanOptions(
    program
      .command('drift')
      .description('show what changed in the cluster since berth last applied the release (secrets redacted)')
      .argument('<release>'),
  ).action(async (release: string, flags: PlanFlags) => {
    parseOutputFormat(flags.output, OUTPUT_FORMATS);
    printPlan(await drift({ cluster: clusterTarget(flags), release }), flags);
  });
}
