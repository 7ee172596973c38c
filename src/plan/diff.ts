/** Unified YAML diffs of two (already normalised and redacted) objects, and their colouring. */
import { createTwoFilesPatch } from 'diff';
import { stringify } from 'yaml';

function toYaml(object: unknown): string {
  return object === undefined ? '' : stringify(object, { lineWidth: 0, sortMapEntries: false });
}

/**
 * The unified diff (3 lines of context) from `before` to `after`, headed by the two labels; the
 * empty string when the YAML is the same. An absent side is an empty file (create, prune).
 */
export function unifiedDiff(
  before: unknown,
  after: unknown,
  labels: { readonly before: string; readonly after: string },
): string {
  const from = toYaml(before);
  const to = toYaml(after);
  if (from === to) return '';
  const patch = createTwoFilesPatch(labels.before, labels.after, from, to, '', '', { context: 3 });
  // jsdiff starts with a '====' separator line; the ---/+++ headers are enough.
  return patch
    .replace(/^=+\n/, '')
    .replace(/^(---|\+\+\+) (.*?)\t?\n/gm, '$1 $2\n')
    .replace(/\n\\ No newline at end of file/g, '');
}

const ANSI = { red: '\x1b[31m', green: '\x1b[32m', cyan: '\x1b[36m', bold: '\x1b[1m', reset: '\x1b[0m' };

/** ANSI colours for a unified diff: headers bold, hunks cyan, removals red, additions green. */
export function colorizeDiff(diff: string): string {
  return diff
    .split('\n')
    .map((line) => {
      if (line.startsWith('---') || line.startsWith('+++')) return `${ANSI.bold}${line}${ANSI.reset}`;
      if (line.startsWith('@@')) return `${ANSI.cyan}${line}${ANSI.reset}`;
      if (line.startsWith('-')) return `${ANSI.red}${line}${ANSI.reset}`;
      if (line.startsWith('+')) return `${ANSI.green}${line}${ANSI.reset}`;
      return line;
    })
    .join('\n');
}

/** Colour only for a terminal, and never when NO_COLOR is set (https://no-color.org). */
export function useColor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(stream.isTTY) && !env.NO_COLOR;
}
