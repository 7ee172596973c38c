/** version, blueprints, schema: commands that describe berth and its blueprints. */
import type { Command } from 'commander';
import { blueprints } from '../../actions/blueprints.ts';
import { schema } from '../../actions/schema.ts';
import { getBlueprint } from '../../blueprints/registry.ts';
import { BERTH_VERSION } from '../../version.ts';
import { OUTPUT_FORMATS, parseOutputFormat, printJson, printLine, table } from '../output.ts';

export function registerInfoCommands(program: Command): void {
  program
    .command('version')
    .description('print the berth version')
    .option('-o, --output <format>', 'text or json', 'text')
    .action((options: { output: string }) => {
      const format = parseOutputFormat(options.output, OUTPUT_FORMATS);
      const info = { version: BERTH_VERSION, node: process.versions.node };
      if (format === 'json') printJson(info);
      else printLine(`berth ${info.version} (node ${info.node})`);
    });

  program
    .command('blueprints')
    .description('list the platforms berth can deploy')
    .option('-o, --output <format>', 'text or json', 'text')
    .action(async (options: { output: string }) => {
      const format = parseOutputFormat(options.output, OUTPUT_FORMATS);
      const rows = await blueprints();
      if (format === 'json') return printJson(rows);
      printLine(
        table([
          ['NAME', 'VERSION', 'APP VERSION', 'DESCRIPTION'],
          ...rows.map((r) => [r.name, r.version, r.appVersion, r.description]),
        ]),
      );
    });

  program
    .command('schema')
    .description("print a blueprint's values schema as JSON Schema (for editors and values.schema.json)")
    .argument('<blueprint>', 'blueprint name')
    .action(async (name: string) => printJson(schema(await getBlueprint(name))));
}
