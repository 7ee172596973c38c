/** doctor: a release's health per component, and a redacted support bundle. */
import type { Command } from 'commander';
import { doctor } from '../../actions/doctor.ts';
import { bundleRoot, statusText } from '../../doctor/doctor.ts';
import { ExitCode } from '../../errors.ts';
import { checkReleaseName } from '../../names.ts';
import { type ClusterFlags, clusterOptions, clusterTarget } from '../cluster-options.ts';
import { parseWholeNumber } from '../flags.ts';
import { note, OUTPUT_FORMATS, parseOutputFormat, printJson } from '../output.ts';
import { checkOutputFile } from '../output-dir.ts';

interface DoctorFlags extends ClusterFlags {
  bundle?: string | boolean;
  logs: boolean;
  logLines: string;
  logBytes: string;
}

export function registerDoctorCommand(program: Command): void {
  clusterOptions(
    program
      .command('doctor')
      .description("a release's health per component, and a redacted support bundle (.tar.gz)")
      .argument('<release>'),
  )
    .option(
      '--bundle <file>',
      'where to write the bundle (default: ./berth-doctor-<release>-<timestamp>.tar.gz)',
    )
    .option('--no-bundle', 'only show the health, write no bundle')
    .option('--no-logs', 'do not collect pod logs')
    .option('--log-lines <n>', 'last lines of each container log', '200')
    .option('--log-bytes <n>', 'at most this many bytes of each container log', String(256 * 1024))
    .action(async (release: string, flags: DoctorFlags) => {
      checkReleaseName(release);
      const json = parseOutputFormat(flags.output, OUTPUT_FORMATS) === 'json';
      const logLines = parseWholeNumber('--log-lines', flags.logLines, { min: 1, max: 1_000_000 });
      const logBytes = parseWholeNumber('--log-bytes', flags.logBytes, { min: 1, max: 64 * 1024 * 1024 });
      const now = new Date();
      const bundlePath =
        flags.bundle === false
          ? undefined
          : typeof flags.bundle === 'string'
            ? flags.bundle
            : `${bundleRoot(release, now)}.tar.gz`;
      if (bundlePath) checkOutputFile('--bundle', bundlePath);
      const result = await doctor({
        cluster: clusterTarget(flags),
        release,
        bundlePath,
        logs: flags.logs,
        logLines,
        logBytes,
        now,
      });
      if (!result.ready) process.exitCode = ExitCode.runtime;
      if (json) return printJson({ apiVersion: 'berth.dev/v1', kind: 'DoctorReport', ...result });
      if (result.status) process.stdout.write(statusText(result.status));
      for (const line of result.notCollected) note(`not collected: ${line}`);
      if (result.bundle) {
        const total = result.redactions.reduce((sum, r) => sum + r.count, 0);
        note(
          `bundle written to ${result.bundle} (${result.files.length} files, ${total} redactions; see REDACTIONS.md)`,
        );
      }
    });
}
