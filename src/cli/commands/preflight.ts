/** berth preflight: will the cluster take this install? */
import type { Command } from 'commander';
import { preflight, preflightChecklist } from '../../actions/preflight.ts';
import { getBlueprint } from '../../blueprints/registry.ts';
import { formatChecklist, formatReport } from '../../preflight/format.ts';
import { preflightExitCode } from '../../preflight/model.ts';
import { collectUserValues } from '../../values/sources.ts';
import { type ClusterFlags, clusterOptions, clusterTarget } from '../cluster-options.ts';
import { OUTPUT_FORMATS, parseOutputFormat, printJson, printLine } from '../output.ts';
import { addValueOptions, valueSources } from '../value-options.ts';

interface PreflightFlags extends ClusterFlags {
  values: string[];
  release?: string;
  offline?: boolean;
}

export function registerPreflightCommand(program: Command): void {
  clusterOptions(
    addValueOptions(
      program
        .command('preflight')
        .description(
          'check that the cluster can take an install: version, permissions, storage, CRDs, Secrets, capacity, Pod Security',
        )
        .argument('<blueprint>', 'blueprint name (see berth blueprints)'),
    ),
    "namespace of the release (default: the kubeconfig context's; offline: default)",
  )
    .option('--release <name>', 'release name (default: the blueprint name)')
    .option('--offline', 'no cluster: print what the install needs as a checklist')
    .addHelpText('after', '\nExit codes: 0 all checks pass, 3 a check failed, 4 warnings only.')
    .action(async (name: string, flags: PreflightFlags) => {
      const json = parseOutputFormat(flags.output, OUTPUT_FORMATS) === 'json';
      const blueprint = await getBlueprint(name);
      const userValues = collectUserValues(valueSources(flags.values, process.argv));
      const request = {
        cluster: clusterTarget(flags),
        blueprint,
        values: userValues,
        release: flags.release,
      };
      if (flags.offline) {
        const requirements = await preflightChecklist(request);
        if (json) {
          const { podTemplates: _templates, release, ...rest } = requirements;
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
      const report = await preflight(request);
      if (json) printJson({ apiVersion: 'berth.dev/v1', kind: 'Preflight', ...report });
      else for (const line of formatReport(report)) printLine(line);
      process.exitCode = preflightExitCode(report);
    });
}
