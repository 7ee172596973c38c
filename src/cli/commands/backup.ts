/** backup, backups, restore. */
import type { Command } from 'commander';
import { backup } from '../../actions/backup.ts';
import { backups } from '../../actions/backups.ts';
import { restore } from '../../actions/restore.ts';
import type { BackupRecord } from '../../backup/record.ts';
import { parseInclude } from '../../backup/run.ts';
import { type ClusterFlags, clusterOptions, clusterTarget } from '../cluster-options.ts';
import { parseDuration } from '../duration.ts';
import { note, OUTPUT_FORMATS, parseOutputFormat, printJson, printLine, table } from '../output.ts';
import { progressPrinter } from '../progress.ts';

interface BackupFlags extends ClusterFlags {
  to?: string;
  include?: string;
  s3Endpoint?: string;
  s3Secret?: string;
  wait: boolean;
  timeout: string;
}

function size(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)}${units[unit]}`;
}

function printBackup(backup: BackupRecord): void {
  printLine(
    `backup ${backup.id} of ${backup.release} (revision ${backup.revision}, ${backup.blueprint.name} ${backup.blueprint.version}): ${backup.status}, to ${backup.target}`,
  );
  printLine(
    table([
      ['STORE', 'STATUS', 'METHOD', 'OBJECTS'],
      ...backup.stores.map((s) => [
        s.component,
        s.status,
        s.method,
        s.reason && s.status !== 'succeeded'
          ? s.reason.split('\n')[0]!
          : s.objects
              .map(
                (o) =>
                  `${o.name}${o.bytes === undefined ? '' : ` ${size(o.bytes)}`}${o.sha256 ? ` sha256:${o.sha256.slice(0, 12)}` : ''}`,
              )
              .join(', ') ||
            s.location ||
            '',
      ]),
    ]),
  );
}

export function registerBackupCommands(program: Command): void {
  clusterOptions(
    program
      .command('backup')
      .description("back up a release's bundled data stores, one Job per store, and record it")
      .argument('<release>'),
  )
    .option(
      '--to <target>',
      'pvc:<claim> or s3://<bucket>/<prefix> (default: backup.to, then pvc:<release>-backups)',
    )
    .option('--s3-endpoint <url>', 'S3 endpoint of an s3:// target (default: backup.s3.endpoint)')
    .option('--s3-secret <name>', 'Secret with the S3 target credentials (default: backup.s3.existingSecret)')
    .option('--include <stores>', 'also back up stores skipped by default: redis (an RDB copy)')
    .option('--wait', 'wait for every Job and record sizes and checksums (default)', true)
    .option('--no-wait', 'create the Jobs and return; berth backups follows them up')
    .option('--timeout <duration>', 'give up waiting after this long', '30m')
    .action(async (release: string, flags: BackupFlags) => {
      const json = parseOutputFormat(flags.output, OUTPUT_FORMATS) === 'json';
      const timeoutMs = parseDuration('--timeout', flags.timeout);
      const record = await backup(
        {
          cluster: clusterTarget(flags),
          release,
          ...(flags.to ? { to: flags.to } : {}),
          ...(flags.include ? { include: parseInclude(flags.include) } : {}),
          s3: {
            ...(flags.s3Endpoint ? { endpoint: flags.s3Endpoint } : {}),
            ...(flags.s3Secret ? { existingSecret: flags.s3Secret } : {}),
          },
          wait: flags.wait,
          timeoutMs,
        },
        { progress: progressPrinter(json) },
      );
      if (json) return printJson(record);
      printBackup(record);
    });

  clusterOptions(
    program.command('backups').description('list the backups of a release').argument('<release>'),
  ).action(async (release: string, flags: ClusterFlags) => {
    const json = parseOutputFormat(flags.output, OUTPUT_FORMATS) === 'json';
    const items = await backups({ cluster: clusterTarget(flags), release });
    if (json) return printJson({ apiVersion: 'berth.dev/v1', kind: 'BackupList', items });
    printLine(
      table([
        ['ID', 'STATUS', 'REVISION', 'BLUEPRINT', 'TRIGGER', 'TARGET', 'STORES'],
        ...items.map((b) => [
          b.id,
          b.status,
          String(b.revision),
          `${b.blueprint.name}-${b.blueprint.version}`,
          b.trigger,
          b.target,
          b.stores.map((s) => `${s.component}:${s.status}`).join(' '),
        ]),
      ]),
    );
  });

  clusterOptions(
    program
      .command('restore')
      .description('restore a backup: writers scaled down, each store restored, writers back up')
      .argument('<release>'),
  )
    .requiredOption('--backup <id>', 'the backup to restore (berth backups lists them)')
    .option('--timeout <duration>', 'give up waiting after this long', '30m')
    .action(async (release: string, flags: ClusterFlags & { backup: string; timeout: string }) => {
      const json = parseOutputFormat(flags.output, OUTPUT_FORMATS) === 'json';
      const result = await restore(
        {
          cluster: clusterTarget(flags),
          release,
          backup: flags.backup,
          timeoutMs: parseDuration('--timeout', flags.timeout),
        },
        { progress: progressPrinter(json) },
      );
      if (json) return printJson({ apiVersion: 'berth.dev/v1', kind: 'RestoreResult', ...result });
      printLine(
        `release ${release}: backup ${result.backup} restored (${result.stores.join(', ')}); ${result.writers.length} writers back up`,
      );
      for (const line of result.notes) note(line);
    });
}
