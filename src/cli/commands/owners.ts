/** owners: who claims each object of a release — berth, Helm, Argo CD, Flux, kapp, hand edits. */
import type { Command } from 'commander';
import { owners } from '../../actions/owners.ts';
import type { FieldManager, ObjectOwnership } from '../../inspect/owners.ts';
import { type ClusterFlags, clusterOptions, clusterTarget } from '../cluster-options.ts';
import { note, OUTPUT_FORMATS, parseOutputFormat, printJson, printLine, table } from '../output.ts';

function managers(list: readonly FieldManager[]): string {
  return list
    .filter((m) => m.kind !== 'controller')
    .map((m) => `${m.manager}(${m.fields.join(',')})`)
    .join(' ');
}

function row(object: ObjectOwnership): string[] {
  const claims = object.claims.map((c) => (c.tool === 'berth' ? 'berth' : `${c.tool}:${c.owner}`));
  return [
    object.contested ? '!' : '',
    object.object,
    object.recorded ? 'yes' : 'no',
    claims.join(' ') || '-',
    managers(object.managers) || '-',
  ];
}

export function registerOwnersCommand(program: Command): void {
  clusterOptions(
    program
      .command('owners')
      .description(
        'show who claims each object of a release: berth, Helm, Argo CD, Flux, kapp, and the field managers of hand edits',
      )
      .argument('<release>'),
  ).action(async (release: string, flags: ClusterFlags) => {
    const json = parseOutputFormat(flags.output, OUTPUT_FORMATS) === 'json';
    const { namespace, ...report } = await owners({ release, cluster: clusterTarget(flags) });
    if (json) return printJson({ apiVersion: 'berth.dev/v1', kind: 'Ownership', ...report });
    printLine(
      `release ${release} in ${namespace}: ${report.objects.length} objects, ${report.objects.filter((o) => o.contested).length} also claimed or edited by others (!)`,
    );
    printLine(
      table([
        ['', 'OBJECT', 'RECORDED', 'CLAIMED BY', 'FIELD MANAGERS (fields)'],
        ...report.objects.map(row),
      ]),
    );
    for (const skipped of report.skipped) note(`note: skipped ${skipped}`);
  });
}
