/** `berth adopt helm`: parse, call src/adopt, print. */
import { basename, dirname } from 'node:path';
import type { Command } from 'commander';
import { adoptHelm, handBackHelm } from '../../actions/adopt.ts';
import type { AdoptionPlan } from '../../adopt/adopt.ts';
import { getBlueprint } from '../../blueprints/registry.ts';
import { BerthError, ExitCode } from '../../errors.ts';
import { collectUserValues } from '../../values/sources.ts';
import { toYaml } from '../../yaml.ts';
import { type ClusterFlags, clusterOptions, clusterTarget } from '../cluster-options.ts';
import { parseDuration } from '../duration.ts';
import { note, OUTPUT_FORMATS, parseOutputFormat, printJson, printLine, warn } from '../output.ts';
import { writeOutputFile } from '../output-dir.ts';
import { progressPrinter } from '../progress.ts';
import { addValueOptions, valueSources } from '../value-options.ts';

interface AdoptFlags extends ClusterFlags {
  values: string[];
  dryRun?: boolean;
  undo?: boolean;
  timeout: string;
  valuesOut?: string;
}

function printPlan(plan: AdoptionPlan, dryRun: boolean): void {
  const section = (title: string, lines: readonly string[]) => {
    if (lines.length === 0) return;
    printLine(`${title}:`);
    for (const line of lines) printLine(`  ${line}`);
  };
  printLine(
    `${dryRun ? 'would adopt' : 'adopted'} Helm release ${plan.release} (chart ${plan.chart}, revision ${plan.helmRevision}) into blueprint ${plan.blueprint} in namespace ${plan.namespace}`,
  );
  section('kept in place (berth applies over them)', plan.kept);
  section(
    'data volumes kept',
    plan.volumes.map((v) => `PersistentVolumeClaim/${v.claim} → ${v.store} (was ${v.from})`),
  );
  section('credentials kept', plan.credentials);
  section('re-created (stopped first, berth starts its own on the same volume)', plan.recreated);
  section('removed once the berth revision is deployed', plan.removed);
  section("left in place without Helm's ownership", plan.released);
  section('Helm hooks (not run by berth)', plan.hooks);
  printLine(
    `Helm's records: relabelled owner=berth-adopted (content kept) for berth adopt helm --undo ${plan.release}`,
  );
  for (const line of plan.notes) warn(line);
}

export function registerAdoptCommand(program: Command): void {
  const adopt = program.command('adopt').description('take over releases other tools installed');
  addValueOptions(
    clusterOptions(
      adopt
        .command('helm')
        .description(
          'take over a Helm release of a chart berth recognises: its volumes, passwords and objects, with no data lost',
        )
        .argument('<helm-release>', 'the Helm release (berth keeps its name)')
        .argument('[blueprint]', 'the berth blueprint (not with --undo)'),
    ),
  )
    .option('--dry-run', 'show what would be kept, re-created and relabelled; change nothing')
    .option('--undo', 'hand an adopted release back to Helm (objects and data stay)')
    .option('--timeout <duration>', 'give up waiting after this long (e.g. 90s, 10m)', '10m')
    .option(
      '--values-out <file>',
      'also write the values adoption derived from the chart (berth keeps them with the release)',
    )
    .action(async (release: string, name: string | undefined, flags: AdoptFlags) => {
      const json = parseOutputFormat(flags.output, OUTPUT_FORMATS) === 'json';
      if (flags.undo) {
        const result = await handBackHelm({ release, cluster: clusterTarget(flags) });
        if (json) return printJson({ apiVersion: 'berth.dev/v1', kind: 'HelmHandBack', ...result });
        printLine(
          `Helm release ${result.release} is Helm's again (revision ${result.helmRevision}); berth's records removed`,
        );
        for (const object of result.leftInPlace)
          note(`left in place (berth created it; Helm does not know it): ${object}`);
        return;
      }
      if (!name)
        throw new BerthError('BERTH_USAGE', 'berth adopt helm: missing argument <blueprint>', {
          exitCode: ExitCode.usage,
        });
      const blueprint = await getBlueprint(name);
      const values = collectUserValues(valueSources(flags.values, process.argv));
      const result = await adoptHelm(
        {
          release,
          cluster: clusterTarget(flags),
          blueprint,
          values,
          dryRun: flags.dryRun ?? false,
          timeoutMs: parseDuration('--timeout', flags.timeout),
        },
        { progress: progressPrinter(json) },
      );
      if (flags.valuesOut)
        writeOutputFile(
          '--values-out',
          dirname(flags.valuesOut),
          basename(flags.valuesOut),
          toYaml(result.plan.adopted.values),
        );
      if (json) return printJson({ apiVersion: 'berth.dev/v1', kind: 'HelmAdoption', ...result });
      printPlan(result.plan, result.dryRun);
      if (!result.dryRun) printLine(`release ${release} is deployed by berth at revision ${result.revision}`);
      if (!result.dryRun)
        note(
          `the chart's layout is kept with the release: berth upgrade ${release} ${name} renders your values over it (berth values --release ${release} --layers shows it)`,
        );
    });
}
