import { BerthError, ExitCode } from '../errors.ts';

/** Error codes raised by the local control plane. */
export type LocalClusterErrorCode =
  | 'BINARIES_MISSING'
  | 'BUILD_FAILED'
  | 'TOOL_MISSING'
  | 'PORT_IN_USE'
  | 'COMPONENT_EXITED'
  | 'START_TIMEOUT'
  | 'INTERRUPTED'
  | 'BUSY'
  | 'STOP_FAILED';

/** A failure of the local control plane, with a stable code and a hint on what to do next. */
export class LocalClusterError extends BerthError {
  override readonly code: LocalClusterErrorCode;
  override readonly hint: string;

  constructor(code: LocalClusterErrorCode, message: string, hint: string, options?: { cause?: unknown }) {
    super(`BERTH_LOCAL_${code}`, message, { hint, exitCode: ExitCode.runtime, cause: options?.cause });
    this.name = 'LocalClusterError';
    this.code = code;
    this.hint = hint;
  }
}
