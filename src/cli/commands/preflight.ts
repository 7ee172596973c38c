/** berth preflight: will the cluster take this install? */
import type { Command } from 'commander';
import { getBlueprint } from '../../blueprints/registry.ts';
import { formatChecklist, formatReport } from '../../preflight/format.ts';
import { preflightExitCode } from '../../preflight/model.ts';
import { preflightInput, preflightRequirements, runPreflight } from '../../preflight/run.ts';
import { collectUserValues } from '../../values/sources.ts';
import { checkOffline, connect } from '../connect.ts';
import { OUTPUT_FORMATS, parseOutputFormat, printJson, printLine } from '../output.ts';
import { addValueOptions, valueSources } from '../value-options.ts';

interface PreflightFlags {
  values: string[];
  namespace?: string;
  release?: string;
  kubeconfig?: string;
  kubeContext?: string;
  output: string;
  offline?: boolean;
}

export function registerPreflightCommand(program: Command): void {
  addValueOptions(
    program
      .command('preflight')
      .description(
        'check that the cluster can take an install: version, permissions, storage, CRDs, Secrets, capacity, Pod Security',
      )
      .argument('<blueprint>', 'blueprint name (see berth blueprints)'),
  )
    .option(
      '-n, --namespace <namespace>',
      "namespace of the release (default: the kubeconfig context's; offline: default)",
    )
    .option('--release <name>', 'release name (default: the blueprint name)')
    .option('--kubeconfig <path>', 'kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)')
    .option('--kube-context <name>', 'kubeconfig context to use')
    .option('-o, --output <format>', 'text or json', 'text')
    .option('--offline', 'no cluster: print what the install needs as a checklist')
    .addHelpText('after', '\nExit codes: 0 all checks pass, 3 a check failed, 4 warnings only.')
    .action(async (name: string, flags: PreflightFlags) => {
      const json = parseOutputFormat(flags.output, OUTPUT_FORMATS) === 'json';
      const blueprint = await getBlueprint(name);
      const userValues = collectUserValues(valueSources(flags.values, process.argv));
      const release = flags.release ?? blueprint.name;
      await checkOffline(blueprint, userValues, { release, namespace: flags.namespace });
      if (flags.offline) {
        const namespace = flags.namespace ?? 'default';
        const requirements = await preflightRequirements(
          await preflightInput(blueprint, userValues, { release, namespace }),
        );
        if (json) {
          const { podTemplates: _templates, ...rest } = requirements;
          return printJson({
            apiVersion: 'berth.dev/v1',
            kind: 'PreflightRequirements',
            blueprint: name,
            release,
            ...rest,
          });
        }
        for (const line of formatChecklist(requirements, name)) printLine(line);
        return;
      }
      const { client, namespace } = connect(flags);
      const input = await preflightInput(blueprint, userValues, { release, namespace });
      const report = await runPreflight({ client, ...input });
      if (json) printJson({ apiVersion: 'berth.dev/v1', kind: 'Preflight', ...report });
      else for (const line of formatReport(report)) printLine(line);
      process.exitCode = preflightExitCode(report);
    });
}
