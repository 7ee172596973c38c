/**
 * Typed errors. Core modules throw these; only the CLI entry point maps them to exit codes.
 * A user error carries a stable code, a one-line message and, where it helps, a hint.
 */

export const ExitCode = {
  ok: 0,
  /** Bad values, flags, files or cluster state the user can fix. */
  userError: 1,
  /** The command line itself is malformed (unknown flag, missing argument). */
  usage: 2,
  /** The cluster or the machine failed us (API errors, timeouts, failed rollouts). */
  runtime: 3,
  /** Finished with warnings that a CI gate may want to stop on (preflight warnings). */
  warnings: 4,
  /** A bug in berth. */
  internal: 70,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export class BerthError extends Error {
  readonly code: string;
  readonly hint: string | undefined;
  /** What berth did to recover from the failure (`rolled back to revision 3`): told after the error, not as one. */
  readonly recovery: string | undefined;
  readonly exitCode: ExitCode;

  constructor(
    code: string,
    message: string,
    options: { hint?: string; recovery?: string; exitCode?: ExitCode; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'BerthError';
    this.code = code;
    this.hint = options.hint;
    this.recovery = options.recovery;
    this.exitCode = options.exitCode ?? ExitCode.userError;
  }
}

/** One problem in a values document: where, what was expected, what was given. */
export interface ValueProblem {
  readonly path: string;
  readonly message: string;
}

export const MAX_PROBLEM_LINES = 20;

export class ValuesError extends BerthError {
  readonly problems: readonly ValueProblem[];

  constructor(problems: readonly ValueProblem[]) {
    // One line per problem, so every line of the output names its own values path; a file of
    // thousands of wrong keys shows the first few and a count, not thousands of lines.
    const lines = problems
      .slice(0, MAX_PROBLEM_LINES)
      .map((p) => `values ${p.path || '(root)'}: ${p.message}`);
    if (problems.length > MAX_PROBLEM_LINES)
      lines.push(`values: ${problems.length - MAX_PROBLEM_LINES} more problems not shown`);
    super('BERTH_VALUES_INVALID', lines.join('\n'), {
      hint: 'berth values <blueprint> lists every key with its default; berth schema <blueprint> gives the JSON Schema',
    });
    this.name = 'ValuesError';
    this.problems = problems;
  }
}
