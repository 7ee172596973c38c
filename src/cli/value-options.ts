/** The Helm-style values flags shared by every command that renders a blueprint. */
import { type Command, Option } from 'commander';
import type { ValueFlag, ValueSources } from '../values/sources.ts';

export function addValueOptions(command: Command): Command {
  return command
    .addOption(
      new Option('-f, --values <file>', 'values file (repeatable; later files win; - reads stdin)')
        .argParser(collect)
        .default([]),
    )
    .addOption(
      new Option('--set <key=value>', 'set a value (repeatable; Helm syntax: a.b=c, list[0]=x, a\\.b=c)'),
    )
    .addOption(new Option('--set-string <key=value>', 'set a value, always as a string (repeatable)'))
    .addOption(new Option('--set-file <key=path>', 'set a value to the content of a file (repeatable)'))
    .addOption(
      new Option(
        '--registry <host[/path]>',
        'pull every image from this mirror (global.imageRegistry; see docs/airgap.md)',
      ),
    );
}

/**
 * An offline render target: `<blueprint>` plus the values flags, the namespace and the release name
 * (render, lint).
 */
export function addOfflineRenderOptions(command: Command): Command {
  return addValueOptions(command.argument('<blueprint>', 'blueprint name (see berth blueprints)'))
    .option('-n, --namespace <namespace>', 'namespace of the objects', 'default')
    .option('--release <name>', 'release name (default: the blueprint name)');
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

const FLAG_KINDS: Record<string, ValueFlag['kind']> = {
  '--set': 'set',
  '--set-string': 'set-string',
  '--set-file': 'set-file',
  '--registry': 'set-string',
};

/**
 * `--set`, `--set-string`, `--set-file` and `--registry` apply in the order given on the command line, so they
 * are read from argv rather than from three separate option arrays.
 */
export function valueSources(files: readonly string[], argv: readonly string[]): ValueSources {
  const flags: ValueFlag[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') break;
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    const kind = FLAG_KINDS[name];
    if (!kind) continue;
    const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined) continue;
    flags.push(
      name === '--registry'
        ? { kind, expression: `global.imageRegistry=${value}` }
        : { kind, expression: value },
    );
  }
  return { files, flags };
}
