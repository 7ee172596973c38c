#!/usr/bin/env node
/** berth's command line: parse, call one core function, print. Only this file sets exit codes. */
import { Command, CommanderError } from 'commander';
import { BerthError, ExitCode } from '../errors.ts';
import { BERTH_VERSION } from '../version.ts';

type Registrar = (program: Command) => void;

/**
 * Command modules load on demand: `berth version` should not pay for the Kubernetes client, and
 * `berth render` not for the release engine. Help and unknown commands load them all, in this order.
 */
const COMMAND_MODULES: readonly { readonly commands: readonly string[]; load(): Promise<Registrar> }[] = [
  {
    commands: ['version', '--version', 'blueprints', 'schema'],
    load: async () => (await import('./commands/info.ts')).registerInfoCommands,
  },
  { commands: ['values'], load: async () => (await import('./commands/values.ts')).registerValuesCommand },
  {
    commands: ['completion'],
    load: async () => (await import('./commands/completion.ts')).registerCompletionCommand,
  },
  { commands: ['owners'], load: async () => (await import('./commands/owners.ts')).registerOwnersCommand },
  { commands: ['render'], load: async () => (await import('./commands/render.ts')).registerRenderCommand },
  { commands: ['images'], load: async () => (await import('./commands/images.ts')).registerImagesCommand },
  { commands: ['lint'], load: async () => (await import('./commands/lint.ts')).registerLintCommand },
  {
    commands: ['preflight'],
    load: async () => (await import('./commands/preflight.ts')).registerPreflightCommand,
  },
  {
    commands: ['install', 'upgrade', 'rollback', 'uninstall'],
    load: async () => (await import('./commands/release.ts')).registerReleaseCommands,
  },
  {
    commands: ['history', 'status', 'list', 'unlock'],
    load: async () => (await import('./commands/release-read.ts')).registerReleaseReadCommands,
  },
  { commands: ['local'], load: async () => (await import('./commands/local.ts')).registerLocalCommands },
  {
    commands: ['plan', 'drift'],
    load: async () => (await import('./commands/plan.ts')).registerPlanCommands,
  },
  { commands: ['doctor'], load: async () => (await import('./commands/doctor.ts')).registerDoctorCommand },
  {
    commands: ['backup', 'backups', 'restore'],
    load: async () => (await import('./commands/backup.ts')).registerBackupCommands,
  },
  { commands: ['import'], load: async () => (await import('./commands/import.ts')).registerImportCommand },
  { commands: ['export'], load: async () => (await import('./commands/export.ts')).registerExportCommands },
  { commands: ['adopt'], load: async () => (await import('./commands/adopt.ts')).registerAdoptCommand },
  { commands: ['apply'], load: async () => (await import('./commands/fleet.ts')).registerFleetCommand },
  { commands: ['console'], load: async () => (await import('./commands/console.ts')).registerConsoleCommand },
];

export async function buildProgram(argv: readonly string[] = process.argv): Promise<Command> {
  const program = new Command('berth')
    .description('Run self-hosted AI platforms on Kubernetes: typed blueprints, safe releases, real plans.')
    .version(BERTH_VERSION, '--version', 'print the berth version')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      outputError: (text, write) => write(text.startsWith('error:') ? text : `error: ${text}`),
    })
    .addHelpText(
      'after',
      '\nExit codes: 0 ok, 1 invalid input, 2 usage, 3 cluster or runtime failure, 4 finished with warnings, 70 internal error.',
    );
  // Completion describes every command, so it needs them all.
  const asked = COMMAND_MODULES.filter((m) => m.commands.includes(argv[2] ?? '') && argv[2] !== 'completion');
  for (const module of asked.length ? asked : COMMAND_MODULES) (await module.load())(program);
  return program;
}

/**
 * A system call that failed on the machine (disk full, too many open files, a file that vanished
 * while berth wrote it) is a runtime failure, not a bug; commands check what the user names first.
 */
function machineFailure(error: unknown): string | undefined {
  const { code, syscall, path } = (error ?? {}) as NodeJS.ErrnoException;
  if (typeof code !== 'string' || typeof syscall !== 'string' || !/^E[A-Z]+$/.test(code)) return undefined;
  return `${syscall}${path ? ` ${path}` : ''} failed: ${code}`;
}

function report(error: unknown): number {
  if (error instanceof CommanderError) {
    // Commander already printed the message; help and version are successful exits.
    return error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
  }
  if (error instanceof BerthError) {
    for (const line of error.message.split('\n')) process.stderr.write(`error: ${line}\n`);
    if (error.recovery) process.stderr.write(`${error.recovery}\n`);
    if (error.hint) process.stderr.write(`hint: ${error.hint}\n`);
    if (process.env.BERTH_DEBUG && error.stack) process.stderr.write(`${error.stack}\n`);
    return error.exitCode;
  }
  const machine = machineFailure(error);
  if (machine) {
    process.stderr.write(`error: ${machine}\n`);
    if (process.env.BERTH_DEBUG && error instanceof Error) process.stderr.write(`${error.stack}\n`);
    return ExitCode.runtime;
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(
    `internal error: ${message}\nThis is a bug in berth. Re-run with BERTH_DEBUG=1 and report the output.\n`,
  );
  if (process.env.BERTH_DEBUG && error instanceof Error) process.stderr.write(`${error.stack}\n`);
  return ExitCode.internal;
}

// `berth render ... | head` closes the pipe early; that is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(ExitCode.ok);
  throw error;
});

try {
  await (await buildProgram()).parseAsync(process.argv);
} catch (error) {
  process.exitCode = report(error);
}
// Idle keep-alive sockets of the Kubernetes client would hold the process open for half a minute;
// the command is done, so leave once everything written has been flushed.
await new Promise<void>((resolve) =>
  process.stdout.write('', () => process.stderr.write('', () => resolve())),
);
process.exit();
