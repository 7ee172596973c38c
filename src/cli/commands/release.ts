/** install, upgrade, rollback, uninstall, history, status, list, unlock. */
import { type Command, Option } from 'commander';
import type { DeploySettings } from '../../actions/deploy.ts';
import { install } from '../../actions/install.ts';
import { plan } from '../../actions/plan.ts';
import { rollback } from '../../actions/rollback.ts';
import { uninstall } from '../../actions/uninstall.ts';
import { upgrade } from '../../actions/upgrade.ts';
import { getBlueprint } from '../../blueprints/registry.ts';
import { readInputFile } from '../../input.ts';
import { parseSavedPlan, type SavedPlan } from '../../plan/saved.ts';
import type { ReleaseResult } from '../../release/engine.ts';
import type { ProgressListener } from '../../release/progress.ts';
import { collectUserValues } from '../../values/sources.ts';
import { type ClusterFlags, clusterOptions, clusterTarget } from '../cluster-options.ts';
import { parseDuration } from '../duration.ts';
import { parseWholeNumber } from '../flags.ts';
import { note, OUTPUT_FORMATS, parseOutputFormat, printJson, printLine, table } from '../output.ts';
import { deployProgress, progressPrinter, stopDeployProgress } from '../progress.ts';
import { addValueOptions, valueSources } from '../value-options.ts';
import { printPlan } from './plan.ts';

export interface DeployFlags extends ClusterFlags {
  values: string[];
  timeout: string;
  wait: boolean;
  atomic?: boolean;
  dryRun?: boolean;
  adopt?: boolean;
  historyMax: string;
  createNamespace?: boolean;
  preflight: boolean;
  skipPreflight?: boolean;
  rotateSecret: string[];
  install?: boolean;
}

function deployOptions(command: Command): Command {
  return rolloutOptions(clusterOptions(command));
}

/** How a release is rolled out: shared by install, upgrade, rollback and apply (fleet files). */
export function rolloutOptions(command: Command): Command {
  return command
    .option('--timeout <duration>', 'give up waiting after this long (e.g. 90s, 10m)', '10m')
    .option('--wait', 'wait for each stage to be ready before the next (default)', true)
    .option('--no-wait', 'apply every stage without waiting for readiness')
    .option('--atomic', 'on failure, roll back to the last good revision (or remove a failed first install)')
    .option('--dry-run', 'server-side dry run: validate everything, change nothing')
    .option('--adopt', 'take over existing objects of the same name that no release owns')
    .option('--history-max <n>', 'revisions to keep', '10')
    .option('--create-namespace', 'create the namespace if it does not exist')
    .option('--no-preflight', 'skip the preflight checks (install/upgrade run them first by default)')
    .option('--skip-preflight', 'same as --no-preflight');
}

/** The output format and the deploy flags, checked before the action runs. */
export function deploySettings(flags: Omit<DeployFlags, 'values' | 'rotateSecret'>): {
  json: boolean;
  settings: DeploySettings;
} {
  const json = parseOutputFormat(flags.output, OUTPUT_FORMATS) === 'json';
  const historyMax = parseWholeNumber('--history-max', flags.historyMax, { min: 1, max: 1000 });
  const settings = {
    wait: flags.wait,
    timeoutMs: parseDuration('--timeout', flags.timeout),
    atomic: flags.atomic ?? false,
    dryRun: flags.dryRun ?? false,
    adopt: flags.adopt ?? false,
    historyMax,
    createNamespace: flags.createNamespace ?? false,
    preflight: flags.preflight && !flags.skipPreflight,
  };
  return { json, settings };
}

function report(result: ReleaseResult, json: boolean): void {
  if (json) {
    printJson({ apiVersion: 'berth.dev/v1', kind: 'ReleaseResult', ...result });
    return;
  }
  if (result.status === 'unchanged') {
    printLine(`release ${result.release}: no changes (revision ${result.revision} stays deployed)`);
  } else {
    printLine(
      `release ${result.release} ${result.dryRun ? 'would be' : 'is'} ${result.status} at revision ${result.revision} (${result.blueprint.name} ${result.blueprint.appVersion}) in namespace ${result.namespace}`,
    );
  }
  for (const line of result.notes) note(line);
}

function readSavedPlan(file: string): SavedPlan {
  const label = `--plan-file ${file}`;
  return parseSavedPlan(readInputFile(file, { code: 'BERTH_PLAN_FILE', label }), label);
}

/** Install, upgrade and rollback draw the live table in a terminal; it ends before the summary or an error. */
async function withDeployProgress<T>(
  json: boolean,
  run: (progress: ProgressListener) => Promise<T>,
): Promise<T> {
  try {
    return await run(deployProgress(json));
  } finally {
    stopDeployProgress();
  }
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export function registerReleaseCommands(program: Command): void {
  const rotate = new Option(
    '--rotate-secret <name>',
    'generate new values for this generated Secret (repeatable)',
  )
    .argParser(collect)
    .default([]);

  addValueOptions(
    deployOptions(
      program
        .command('install')
        .description('install a blueprint as a new release')
        .argument('<release>')
        .argument('<blueprint>'),
    ),
  )
    .addOption(rotate)
    .action(async (release: string, name: string, flags: DeployFlags) => {
      const blueprint = await getBlueprint(name);
      const values = collectUserValues(valueSources(flags.values, process.argv));
      const { json, settings } = deploySettings(flags);
      const request = { cluster: clusterTarget(flags), release, blueprint, values, settings };
      const result = await withDeployProgress(json, (progress) =>
        install({ ...request, rotateSecrets: flags.rotateSecret }, { progress }),
      );
      report(result, json);
    });

  addValueOptions(
    deployOptions(
      program
        .command('upgrade')
        .description('upgrade a release to new values or a new blueprint version')
        .argument('<release>')
        .argument('<blueprint>'),
    ),
  )
    .addOption(rotate)
    .option('-i, --install', 'install the release if it does not exist')
    .option('--plan', 'show what the upgrade would change (like berth plan) and change nothing')
    .option('--exit-code', 'with --plan: exit 2 when there are changes, 0 when there are none')
    .option(
      '--plan-file <file>',
      'apply exactly the plan berth plan --save wrote: refused if the values, the blueprint version or the cluster changed since',
    )
    .action(
      async (
        release: string,
        name: string,
        flags: DeployFlags & { plan?: boolean; exitCode?: boolean; planFile?: string },
      ) => {
        const blueprint = await getBlueprint(name);
        const values = collectUserValues(valueSources(flags.values, process.argv));
        const request = { cluster: clusterTarget(flags), release, blueprint, values };
        if (flags.plan) {
          parseOutputFormat(flags.output, OUTPUT_FORMATS);
          const planned = await plan({ ...request, rotateSecrets: flags.rotateSecret });
          printPlan(planned, { output: flags.output, exitCode: flags.exitCode ?? false });
          return;
        }
        const { json, settings } = deploySettings(flags);
        const saved = flags.planFile === undefined ? undefined : readSavedPlan(flags.planFile);
        const result = await withDeployProgress(json, (progress) =>
          upgrade(
            {
              ...request,
              settings,
              rotateSecrets: flags.rotateSecret,
              installIfMissing: flags.install ?? false,
              plan: saved,
            },
            { progress },
          ),
        );
        report(result, json);
      },
    );

  deployOptions(
    program
      .command('rollback')
      .description('roll a release back to an earlier revision (default: the previous one)')
      .argument('<release>')
      .argument('[revision]'),
  )
    .option(
      '--restore',
      'across a platform version change: restore the backup the upgrade took (the data written since is lost)',
    )
    .action(
      async (release: string, revision: string | undefined, flags: DeployFlags & { restore?: boolean }) => {
        const wanted =
          revision === undefined
            ? undefined
            : parseWholeNumber('revision', revision, { min: 1, max: 999_999_999 });
        const { json, settings } = deploySettings(flags);
        const restore = flags.restore ?? false;
        const request = { cluster: clusterTarget(flags), release, settings, restore, revision: wanted };
        report(await withDeployProgress(json, (progress) => rollback(request, { progress })), json);
      },
    );

  clusterOptions(
    program
      .command('uninstall')
      .description("remove a release's objects and records (data volumes are kept)")
      .argument('<release>'),
  )
    .option('--delete-data', 'also delete the PersistentVolumeClaims (the data is lost)')
    .option('--timeout <duration>', 'how long to wait for deletion', '5m')
    .option('--no-wait', 'do not wait until the objects are gone')
    .action(
      async (
        release: string,
        flags: ClusterFlags & { deleteData?: boolean; timeout: string; wait: boolean },
      ) => {
        const json = parseOutputFormat(flags.output, OUTPUT_FORMATS) === 'json';
        const timeoutMs = parseDuration('--timeout', flags.timeout);
        const result = await uninstall(
          {
            cluster: clusterTarget(flags),
            release,
            deleteData: flags.deleteData ?? false,
            wait: flags.wait,
            timeoutMs,
          },
          { progress: progressPrinter(json) },
        );
        if (json) return printJson({ apiVersion: 'berth.dev/v1', kind: 'UninstallResult', ...result });
        printLine(
          `release ${release} uninstalled: ${result.deleted.length} objects deleted, ${result.kept.length} kept with the data (--delete-data removes them)`,
        );
      },
    );
}
