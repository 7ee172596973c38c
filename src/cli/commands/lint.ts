import type { Command } from 'commander';
import { lint } from '../../actions/lint.ts';
import { ExitCode } from '../../errors.ts';
import { collectUserValues } from '../../values/sources.ts';
import { formatFinding } from '../../verify/findings.ts';
import { note, OUTPUT_FORMATS, parseOutputFormat, printJson, printLine } from '../output.ts';
import { addOfflineRenderOptions, valueSources } from '../value-options.ts';

interface LintOptions {
  values: string[];
  namespace: string;
  release?: string;
  output: string;
}

export function registerLintCommand(program: Command): void {
  addOfflineRenderOptions(
    program
      .command('lint')
      .description("check a blueprint's rendered wiring and its upstream contract, offline"),
  )
    .option('-o, --output <format>', 'text or json', 'text')
    .action(async (name: string, options: LintOptions) => {
      const format = parseOutputFormat(options.output, OUTPUT_FORMATS);
      const values = collectUserValues(valueSources(options.values, process.argv));
      const report = await lint({
        blueprint: name,
        values,
        namespace: options.namespace,
        release: options.release,
      });
      if (format === 'json') {
        printJson({ apiVersion: 'berth.dev/v1', kind: 'LintReport', ...report });
      } else {
        for (const finding of report.findings) printLine(`${finding.level}: ${formatFinding(finding)}`);
        for (const v of report.contract?.violations ?? [])
          printLine(`error: contract ${v.fact}: ${v.message} (${v.reference})`);
        const contract = report.contract
          ? `; upstream contract ${report.contract.upstreamVersion}: ${report.contract.facts} facts, ${report.contract.violations.length} broken`
          : '; no upstream contract';
        note(
          `${report.blueprint} ${report.version}: ${report.errors} errors, ${report.warnings} warnings${contract}`,
        );
      }
      process.exitCode = report.errors
        ? ExitCode.userError
        : report.warnings
          ? ExitCode.warnings
          : ExitCode.ok;
    });
}
