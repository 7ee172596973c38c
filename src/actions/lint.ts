/** lint: the rendered wiring and the upstream contract, every finding at once, offline. */

import { checkNamespace } from '../names.ts';
import { type LintReport, lint as lintRelease } from '../verify/lint.ts';

export interface LintRequest {
  readonly blueprint: string;
  readonly values: Record<string, unknown>;
  readonly namespace: string;
  readonly release?: string | undefined;
}

export function lint(request: LintRequest): Promise<LintReport> {
  const namespace = checkNamespace(request.namespace);
  return lintRelease(request.blueprint, request.values, {
    namespace,
    ...(request.release ? { release: request.release } : {}),
  });
}
