/** owners: who claims each object of a release — berth, Helm, Argo CD, Flux, kapp, hand edits. */
import type { Command } from 'commander';
import type { FieldManager, ObjectOwnership } from '../../inspect/owners.ts';
import { releaseOwnership } from '../../inspect/release-owners.ts';
import { checkReleaseName } from '../../render/render.ts';
import { connect } from '../connect.ts';
import { note, OUTPUT_FORMATS, parseOutputFormat, printJson, printLine, table } from '../output.ts';

interface OwnersFlags {
  namespace?: string;
  kubeconfig?: string;
  kubeContext?: string;
  output: string;
}

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
  program
    .command('owners')
    .description(
      'show who claims each object of a release: berth, Helm, Argo CD, Flux, kapp, and the field managers of hand edits',
    )
    .argument('<release>')
    .option('-n, --namespace <namespace>', "namespace of the release (default: the kubeconfig context's)")
    .option('--kubeconfig <path>', 'kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)')
    .option('--kube-context <name>', 'kubeconfig context to use')
    .option('-o, --output <format>', 'text or json', 'text')
    .action(async (release: string, flags: OwnersFlags) => {
      const json = parseOutputFormat(flags.output, OUTPUT_FORMATS) === 'json';
      checkReleaseName(release);
      const { client, namespace } = connect(flags);
      const report = await releaseOwnership(client, namespace, release);
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
