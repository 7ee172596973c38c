/** A unified diff rendered by diff2html (side by side is too wide for YAML of nested objects). */
import { html } from 'diff2html';

export function DiffView({ diff, testId }: { diff: string; testId?: string }) {
  if (!diff) return <p class="muted">no differences</p>;
  // "--- live Kind/name" / "+++ planned Kind/name": one object, not a rename, for diff2html.
  const headed = diff.replace(/^--- \S+ (.*)$/m, '--- a/$1').replace(/^\+\+\+ \S+ (.*)$/m, '+++ b/$1');
  const rendered = html(headed, { drawFileList: false, matching: 'lines', outputFormat: 'line-by-line' });
  // diff2html escapes the diff's text; the markup is its own.
  return <div class="diff" data-testid={testId} dangerouslySetInnerHTML={{ __html: rendered }} />;
}
