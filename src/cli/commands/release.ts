/** install, upgrade, rollback, uninstall, history, status, list, unlock. */
import { type Command, Option } from 'commander';
import { getBlueprint } from '../../blueprints/registry.ts';
import { planUpgrade } from '../../plan/plan.ts';
import {
  type DeployOptions,
  type DeployRequest,
  deploy,
  type ReleaseResult,
  type ReleaseTarget,
} from '../../release/engine.ts';
import { forceUnlock } from '../../release/lock.ts';
import { listReleases, releaseHistory, releaseStatus } from '../../release/queries.ts';
import { uninstall } from '../../release/uninstall.ts';
import { readinessWaiter } from '../../release/waiter.ts';
import { checkReleaseName } from '../../render/render.ts';
import { collectUserValues } from '../../values/sources.ts';
import { checkOffline, connect } from '../connect.ts';
import { parseDuration } from '../duration.ts';
import { parseWholeNumber } from '../flags.ts';
import { note, OUTPUT_FORMATS, parseOutputFormat, printJson, printLine, table } from '../output.ts';
import { progressPrinter } from '../progress.ts';
import { addValueOptions, valueSources } from '../value-options.ts';
import { printPlan } from './plan.ts';

export interface ClusterFlags {
  kubeconfig?: string;
  kubeContext?: string;
  namespace?: string;
  output: string;
}

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

export function clusterOptions(command: Command): Command {
  return command
    .option('-n, --namespace <namespace>', "namespace of the release (default: the kubeconfig context's)")
    .option('--kubeconfig <path>', 'kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)')
    .option('--kube-context <name>', 'kubeconfig context to use')
    .option('-o, --output <format>', 'text or json', 'text');
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

export function target(release: string, flags: ClusterFlags): ReleaseTarget {
  checkReleaseName(release);
  return { ...connect(flags), release };
}

export function runOptions(
  flags: Omit<DeployFlags, 'values' | 'rotateSecret'>,
  json: boolean,
): Omit<DeployOptions, 'waiter'> {
  const historyMax = parseWholeNumber('--history-max', flags.historyMax, { min: 1, max: 1000 });
  return {
    wait: flags.wait,
    timeoutMs: parseDuration('--timeout', flags.timeout),
    atomic: flags.atomic ?? false,
    dryRun: flags.dryRun ?? false,
    adopt: flags.adopt ?? false,
    historyMax,
    createNamespace: flags.createNamespace ?? false,
    preflight: flags.preflight && !flags.skipPreflight,
    progress: progressPrinter(json),
  };
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

async function runDeploy(release: string, request: DeployRequest, flags: DeployFlags): Promise<void> {
  const json = parseOutputFormat(flags.output, OUTPUT_FORMATS) === 'json';
  // Flags, names and values are checked before anything connects to the cluster.
  const options = runOptions(flags, json);
  if (request.kind !== 'rollback') {
    await checkOffline(request.blueprint, request.values, { release, namespace: flags.namespace });
  }
  const t = target(release, flags);
  report(await deploy(t, request, { ...options, waiter: readinessWaiter(t.client) }), json);
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
      await runDeploy(
        release,
        { kind: 'install', blueprint, values, rotateSecrets: flags.rotateSecret },
        flags,
      );
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
    .action(
      async (release: string, name: string, flags: DeployFlags & { plan?: boolean; exitCode?: boolean }) => {
        const blueprint = await getBlueprint(name);
        const values = collectUserValues(valueSources(flags.values, process.argv));
        if (flags.plan) {
          parseOutputFormat(flags.output, OUTPUT_FORMATS);
          await checkOffline(blueprint, values, { release, namespace: flags.namespace });
          const plan = await planUpgrade(target(release, flags), {
            blueprint,
            values,
            rotateSecrets: flags.rotateSecret,
          });
          printPlan(plan, { output: flags.output, exitCode: flags.exitCode ?? false });
          return;
        }
        await runDeploy(
          release,
          {
            kind: 'upgrade',
            blueprint,
            values,
            rotateSecrets: flags.rotateSecret,
            installIfMissing: flags.install ?? false,
          },
          flags,
        );
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
        const restore = flags.restore ?? false;
        await runDeploy(
          release,
          revision === undefined
            ? { kind: 'rollback', restore }
            : {
                kind: 'rollback',
                revision: parseWholeNumber('revision', revision, { min: 1, max: 999_999_999 }),
                restore,
              },
          flags,
        );
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
        const result = await uninstall(target(release, flags), {
          deleteData: flags.deleteData ?? false,
          wait: flags.wait,
          timeoutMs,
          progress: progressPrinter(json),
        });
        if (json) return printJson({ apiVersion: 'berth.dev/v1', kind: 'UninstallResult', ...result });
        printLine(
          `release ${release} uninstalled: ${result.deleted.length} objects deleted, ${result.kept.length} kept with the data (--delete-data removes them)`,
        );
      },
    );

  clusterOptions(
    program.command('history').description('list the revisions of a release').argument('<release>'),
  ).action(async (release: string, flags: ClusterFlags) => {
    const json = parseOutputFormat(flags.output, OUTPUT_FORMATS) === 'json';
    const revisions = await releaseHistory(target(release, flags));
    if (json) return printJson(revisions);
    printLine(
      table([
        ['REVISION', 'UPDATED', 'STATUS', 'BLUEPRINT', 'APP VERSION', 'DESCRIPTION'],
        ...revisions.map((r) => [
          String(r.revision),
          r.updated,
          r.status,
          r.blueprint,
          r.appVersion,
          r.description,
        ]),
      ]),
    );
  });

  clusterOptions(
    program.command('status').description("show a release and its components' health").argument('<release>'),
  ).action(async (release: string, flags: ClusterFlags) => {
    const json = parseOutputFormat(flags.output, OUTPUT_FORMATS) === 'json';
    const status = await releaseStatus(target(release, flags));
    if (json) return printJson({ apiVersion: 'berth.dev/v1', kind: 'ReleaseStatus', ...status });
    printLine(
      `release ${status.release} in ${status.namespace}: revision ${status.revision} ${status.status} (${status.blueprint.name} ${status.blueprint.appVersion}), ${status.ready ? 'all components ready' : 'NOT all components ready'}`,
    );
    printLine(
      table([
        ['COMPONENT', 'STAGE', 'READY', 'DETAIL'],
        ...status.components.map((c) => [
          c.component,
          c.stage,
          c.ready ? 'yes' : 'no',
          c.objects
            .filter((o) => !o.ready)
            .map((o) => `${o.object}: ${o.message}`)
            .join('; ') || `${c.objects.length} objects ready`,
        ]),
      ]),
    );
  });

  clusterOptions(program.command('list').description('list releases in a namespace'))
    .option('-A, --all-namespaces', 'list releases in every namespace')
    .action(async (flags: ClusterFlags & { allNamespaces?: boolean }) => {
      const json = parseOutputFormat(flags.output, OUTPUT_FORMATS) === 'json';
      const { client, namespace } = connect(flags);
      const releases = await listReleases(client, flags.allNamespaces ? undefined : namespace);
      if (json) return printJson(releases);
      printLine(
        table([
          ['NAME', 'NAMESPACE', 'REVISION', 'STATUS', 'BLUEPRINT', 'APP VERSION', 'UPDATED'],
          ...releases.map((r) => [
            r.release,
            r.namespace,
            String(r.revision),
            r.status,
            r.blueprint,
            r.appVersion,
            r.updated,
          ]),
        ]),
      );
    });

  clusterOptions(
    program
      .command('unlock')
      .description("drop a release's lock by hand (a crashed run's lock expires on its own)")
      .argument('<release>'),
  ).action(async (release: string, flags: ClusterFlags) => {
    const t = target(release, flags);
    const holder = await forceUnlock(t.client, t.namespace, release);
    printLine(
      holder
        ? `removed the lock of release ${release} held by ${holder}`
        : `release ${release} was not locked`,
    );
  });
}
