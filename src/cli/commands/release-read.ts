/**
 * The release commands that only read or unlock (history, status, list, unlock): a module of their
 * own, so they load neither the render pipeline nor the engine that install and upgrade need.
 */
import type { Command } from 'commander';
import { history } from '../../actions/history.ts';
import { list } from '../../actions/list.ts';
import { status } from '../../actions/status.ts';
import { unlock } from '../../actions/unlock.ts';
import { type ClusterFlags, clusterOptions, clusterTarget } from '../cluster-options.ts';
import { OUTPUT_FORMATS, parseOutputFormat, printJson, printLine, table } from '../output.ts';

export function registerReleaseReadCommands(program: Command): void {
  clusterOptions(
    program.command('history').description('list the revisions of a release').argument('<release>'),
  ).action(async (release: string, flags: ClusterFlags) => {
    const json = parseOutputFormat(flags.output, OUTPUT_FORMATS) === 'json';
    const revisions = await history({ cluster: clusterTarget(flags), release });
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
    const report = await status({ cluster: clusterTarget(flags), release });
    if (json) return printJson({ apiVersion: 'berth.dev/v1', kind: 'ReleaseStatus', ...report });
    printLine(
      `release ${report.release} in ${report.namespace}: revision ${report.revision} ${report.status} (${report.blueprint.name} ${report.blueprint.appVersion}), ${report.ready ? 'all components ready' : 'NOT all components ready'}`,
    );
    printLine(
      table([
        ['COMPONENT', 'STAGE', 'READY', 'DETAIL'],
        ...report.components.map((c) => [
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
      const releases = await list({ cluster: clusterTarget(flags), allNamespaces: flags.allNamespaces });
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
    const holder = await unlock({ cluster: clusterTarget(flags), release });
    printLine(
      holder
        ? `removed the lock of release ${release} held by ${holder}`
        : `release ${release} was not locked`,
    );
  });
}
