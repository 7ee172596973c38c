/**
 * Files a user hands berth (-f, --set-file, --env-file, compose files): regular files, or `-` for
 * stdin where a command allows it, read up to a size cap. `/dev/zero`, a FIFO or a directory is
 * refused before a byte is read; a file that grows past the cap while read stops at the cap.
 */
import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { BerthError } from './errors.ts';

export const MAX_INPUT_BYTES = 32 * 1024 * 1024;

export interface InputFile {
  /** Error code for problems with this file. */
  readonly code: string;
  /** How errors name the file: `values file x.yaml`, `--set-file a=x`. */
  readonly label: string;
  /** Whether `-` means stdin. */
  readonly stdin?: boolean;
}

export function readInputFile(path: string, input: InputFile): string {
  const fail = (problem: string, limit = true): never => {
    const hint = `berth reads regular files of at most ${MAX_INPUT_BYTES / 1048576} MiB${input.stdin ? ' (or - for stdin)' : ''}`;
    throw new BerthError(input.code, `${input.label}: ${problem}`, limit ? { hint } : {});
  };
  if (path === '-' && input.stdin) return readCapped(0, fail);
  let fd: number;
  try {
    // Checked before opening: opening a FIFO would block, and a device never ends.
    if (!statSync(path).isFile()) fail(`${kindOf(path)}, not a regular file`);
    fd = openSync(path, 'r');
  } catch (error) {
    if (error instanceof BerthError) throw error;
    return fail(fileProblem(error), false);
  }
  try {
    if (fstatSync(fd).size > MAX_INPUT_BYTES) fail(`larger than ${MAX_INPUT_BYTES / 1048576} MiB`);
    return readCapped(fd, fail);
  } finally {
    closeSync(fd);
  }
}

function readCapped(fd: number, fail: (problem: string, limit?: boolean) => never): string {
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    const chunk = Buffer.allocUnsafe(1024 * 1024);
    let read: number;
    try {
      read = readSync(fd, chunk, 0, chunk.length, null);
    } catch (error) {
      // A non-blocking stdin with nothing written yet: wait for data rather than fail.
      if ((error as NodeJS.ErrnoException).code === 'EAGAIN') {
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
        continue;
      }
      return fail(fileProblem(error), false);
    }
    if (read === 0) break;
    total += read;
    if (total > MAX_INPUT_BYTES) fail(`larger than ${MAX_INPUT_BYTES / 1048576} MiB`);
    chunks.push(chunk.subarray(0, read));
  }
  return Buffer.concat(chunks, total).toString('utf8');
}

function kindOf(path: string): string {
  const stat = statSync(path);
  if (stat.isDirectory()) return 'a directory';
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return 'a device';
  if (stat.isFIFO()) return 'a pipe';
  if (stat.isSocket()) return 'a socket';
  return 'a special file';
}

export function fileProblem(error: unknown): string {
  switch ((error as NodeJS.ErrnoException).code) {
    case 'ENOENT':
      return 'no such file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ENOTDIR':
      return 'a part of the path is not a directory';
    case 'ELOOP':
      return 'too many symbolic links';
    case 'ENAMETOOLONG':
      return 'the path is too long';
    case 'EISDIR':
      return 'a directory, not a regular file';
    default:
      return (error as Error).message ?? String(error);
  }
}
