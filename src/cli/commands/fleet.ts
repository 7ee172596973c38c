/** `berth apply <fleet.yaml>`: install or upgrade every release a fleet file lists. */
import type { Command } from 'commander';
import { fleet } from '../../actions/fleet.ts';
import { BerthError, ExitCode } from '../../errors.ts';
import type { FleetOutcome } from '../../fleet/run.ts';
import { clusterTarget, connectionOptions } from '../cluster-options.ts';
import { parseWholeNumber } from '../flags.ts';
import { note, OUTPUT_FORMATS, parseOutputFormat, printJson, printLine, table } from '../output.ts';
import { type DeployFlags, deploySettings, rolloutOptions } from './release.ts';

type ApplyFlags = Omit<DeployFlags, 'values' | 'rotateSecret' | 'namespace'> & { concurrency: string };

function line(outcome: FleetOutcome): string {
  const name = `${outcome.namespace}/${outcome.release}`;
  if ('error' in outcome)
    return `${name}: failed: ${outcome.error.split('\n')[0]}${outcome.recovery ? `; ${outcome.recovery}` : ''}`;
  const { status, revision } = outcome.result;
  return status === 'unchanged'
    ? `${name}: no changes (revision ${revision})`
    : `${name}: ${status} at revision ${revision}`;
}

export function registerFleetCommand(program: Command): void {
  rolloutOptions(
    connectionOptions(
      program
        .command('apply')
        .description('install or upgrade every release of a fleet file (helmfile-style), several at a time')
        .argument('<fleet-file>')
        .option('--concurrency <n>', 'releases installed or upgraded at the same time', '4'),
    ).option('-o, --output <format>', 'text or json', 'text'),
  ).action(async (file: string, flags: ApplyFlags) => {
    const json = parseOutputFormat(flags.output, OUTPUT_FORMATS) === 'json';
    const concurrency = parseWholeNumber('--concurrency', flags.concurrency, { min: 1, max: 64 });
    // Per-stage progress of several releases at once would interleave: one line per release instead.
    const { settings } = deploySettings(flags);
    const outcomes = await fleet(
      { cluster: clusterTarget(flags), file, settings, concurrency },
      { done: (outcome) => (json ? undefined : note(line(outcome))) },
    );
    const failed = outcomes.filter((o) => 'error' in o);
    if (json) printJson({ apiVersion: 'berth.dev/v1', kind: 'FleetResult', releases: outcomes });
    else
      printLine(
        table([
          ['NAMESPACE', 'NAME', 'REVISION', 'STATUS'],
          ...outcomes.map((o) =>
            'error' in o
              ? [o.namespace, o.release, '-', 'failed']
              : [o.namespace, o.release, String(o.result.revision), o.result.status],
          ),
        ]),
      );
    if (failed.length)
      throw new BerthError('BERTH_FLEET_FAILED', `${failed.length} of ${outcomes.length} releases failed`, {
        exitCode: ExitCode.runtime,
      });
  });
}
