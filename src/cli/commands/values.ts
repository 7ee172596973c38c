/**
 * values: a blueprint's defaults (commented, like helm show values), the effective values of
 * `<blueprint> -f … --set …`, or those of a deployed release (`--release`); `--layers` tags every
 * leaf with where it came from. Credentials are redacted in the effective values.
 */
import type { Command } from 'commander';
import { blueprintValues, releaseValues, type ValuesView } from '../../actions/values.ts';
import { getBlueprint } from '../../blueprints/registry.ts';
import { BerthError, ExitCode } from '../../errors.ts';
import { describeOrigin } from '../../inspect/values.ts';
import { defaultsDocument } from '../../values/document.ts';
import { clusterTarget, connectionOptions } from '../cluster-options.ts';
import { parseWholeNumber } from '../flags.ts';
import { note, parseOutputFormat, printJson, printLine, printYaml, table } from '../output.ts';
import { addValueOptions, valueSources } from '../value-options.ts';

interface ValuesFlags {
  values: string[];
  release?: string;
  revision?: number;
  layers?: boolean;
  output: string;
  namespace?: string;
  kubeconfig?: string;
  kubeContext?: string;
}

const VALUE_FLAGS = /^--(set|set-string|set-file|registry)(=|$)/;

function shown(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function print(source: ValuesView, flags: ValuesFlags, format: 'yaml' | 'json'): void {
  const { effective, blueprint } = source;
  if (format === 'json') {
    printJson({
      apiVersion: 'berth.dev/v1',
      kind: 'EffectiveValues',
      blueprint: { name: blueprint.name, version: blueprint.version },
      ...(source.release ? { release: source.release } : {}),
      values: effective.values,
      ...(flags.layers
        ? { leaves: effective.leaves.map((l) => ({ ...l, from: describeOrigin(l.origin) })) }
        : {}),
    });
    return;
  }
  if (!flags.layers) printYaml(effective.values);
  else
    printLine(
      table([
        ['PATH', 'VALUE', 'FROM'],
        ...effective.leaves.map((l) => [l.path, shown(l.value), describeOrigin(l.origin)]),
      ]),
    );
}

export function registerValuesCommand(program: Command): void {
  const valuesCommand = addValueOptions(
    program
      .command('values')
      .description(
        "a blueprint's default values (commented), the effective values of -f/--set, or of a deployed release (--release); --layers shows where each came from",
      )
      .argument('[blueprint]', 'blueprint name (see berth blueprints)'),
  )
    .option('--release <name>', 'the values of this deployed release instead of a blueprint')
    .option('--revision <n>', 'with --release: this revision instead of the deployed one', (text: string) =>
      parseWholeNumber('--revision', text, { min: 1, max: 999_999_999 }),
    )
    .option(
      '--layers',
      'one line per value with its layer: default, -f file, --set flag, revision, or the chart it was adopted from',
    )
    .option(
      '-n, --namespace <namespace>',
      "with --release: its namespace (default: the kubeconfig context's)",
    );
  connectionOptions(valuesCommand, 'with --release: ')
    .option('-o, --output <format>', 'yaml or json (with --layers: a table or json)', 'yaml')
    .action(async (name: string | undefined, flags: ValuesFlags) => {
      const format = parseOutputFormat(flags.output, ['yaml', 'json'] as const);
      if ((name === undefined) === (flags.release === undefined))
        throw new BerthError('BERTH_USAGE', 'values: expected either a blueprint or --release <name>', {
          exitCode: ExitCode.usage,
        });
      const customised = flags.values.length > 0 || process.argv.some((arg) => VALUE_FLAGS.test(arg));
      if (flags.release === undefined && flags.revision !== undefined)
        throw new BerthError('BERTH_USAGE', 'values: --revision goes with --release', {
          exitCode: ExitCode.usage,
        });
      if (flags.release !== undefined && customised)
        throw new BerthError('BERTH_USAGE', 'values: -f and --set apply to a blueprint, not to --release', {
          exitCode: ExitCode.usage,
        });
      if (name !== undefined && !customised && !flags.layers) {
        const blueprint = await getBlueprint(name);
        if (format === 'json') return printJson(blueprint.schema.parse({}));
        const header = ` Default values of the ${blueprint.name} blueprint ${blueprint.version} (${blueprint.description}).\n Override with -f values.yaml or --set key=value. JSON Schema: berth schema ${blueprint.name}`;
        return void process.stdout.write(defaultsDocument(blueprint.schema, header));
      }
      const source =
        name !== undefined
          ? await blueprintValues(name, valueSources(flags.values, process.argv))
          : await releaseValues({
              release: flags.release!,
              revision: flags.revision,
              cluster: clusterTarget(flags),
            });
      for (const line of source.notes) note(`note: ${line}`);
      print(source, flags, format);
    });
}
