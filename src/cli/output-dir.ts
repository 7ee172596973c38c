/**
 * `--output-dir`: create the folder one level at a time. Node's recursive mkdir never returns on
 * some paths (/proc/x), and a path that is a file should fail with one line, before any rendering.
 */
import { accessSync, constants, mkdirSync, type Stats, statfsSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { BerthError } from '../errors.ts';
import { fileProblem } from '../input.ts';

/** proc, sysfs, cgroup, cgroup2, devpts, debugfs, tracefs, securityfs: no place for rendered files. */
const PSEUDO_FILESYSTEMS = new Set([
  0x9fa0, 0x62656572, 0x27e0eb, 0x63677270, 0x1cd1, 0x64626720, 0x74726163, 0x73636673,
]);

function fail(
  flag: string,
  dir: string,
  problem: string,
  hint = 'pass a folder that does not exist yet or an existing folder you can write to',
): never {
  throw new BerthError('BERTH_OUTPUT_DIR', `${flag} ${dir}: ${problem}`, { hint });
}

/** An existing folder that takes files: not a kernel file system, writable. */
function checkWritableFolder(flag: string, given: string, folder: string, hint?: string): void {
  if (PSEUDO_FILESYSTEMS.has(statfsSync(folder).type))
    fail(flag, given, `${folder} is a kernel file system`, hint);
  try {
    accessSync(folder, constants.W_OK);
  } catch (error) {
    fail(flag, given, `${folder}: ${fileProblem(error)}`, hint);
  }
}

/**
 * Creates `dir` and any missing parents (or, with `create: false`, only checks that it could);
 * refuses a path that is, or runs through, a file.
 */
export function makeOutputDir(flag: string, dir: string, create = true): void {
  const full = resolve(dir);
  const missing: string[] = [];
  let current = full;
  for (;;) {
    let isDirectory: boolean;
    try {
      isDirectory = statSync(current).isDirectory();
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT') fail(flag, dir, fileProblem(error));
      missing.unshift(current);
      const parent = dirname(current);
      if (parent === current) fail(flag, dir, 'no such file or directory');
      current = parent;
      continue;
    }
    if (!isDirectory) fail(flag, dir, `${current === full ? 'it' : current} is a file, not a folder`);
    break;
  }
  checkWritableFolder(flag, dir, current);
  if (!create) return;
  for (const folder of missing) {
    try {
      mkdirSync(folder);
    } catch (error) {
      fail(flag, dir, `cannot create ${folder}: ${fileProblem(error)}`);
    }
  }
}

const FILE_HINT = 'pass a file path in an existing folder you can write to';

/**
 * A file a command will write (`--save`, `--bundle`), checked before anything connects: its folder
 * exists and takes files, and the path is not a folder or a device.
 */
export function checkOutputFile(flag: string, file: string): void {
  const existing = statOrFail(flag, file, file);
  if (existing && !existing.isFile()) fail(flag, file, 'not a regular file', FILE_HINT);
  const folder = dirname(resolve(file));
  const parent = statOrFail(flag, file, folder);
  if (!parent) fail(flag, file, `${folder}: no such file`, FILE_HINT);
  if (!parent.isDirectory()) fail(flag, file, `${folder} is not a folder`, FILE_HINT);
  checkWritableFolder(flag, file, folder, FILE_HINT);
}

/** `path`'s status, undefined when it does not exist; any other failure is the flag's one line. */
function statOrFail(flag: string, given: string, path: string): Stats | undefined {
  try {
    return statSync(path, { throwIfNoEntry: false });
  } catch (error) {
    return fail(flag, given, `${path === given ? '' : `${path}: `}${fileProblem(error)}`, FILE_HINT);
  }
}

/** Writes a file checked by checkOutputFile (one line on failure). */
export function writeCheckedFile(flag: string, file: string, content: string): void {
  try {
    writeFileSync(file, content);
  } catch (error) {
    fail(flag, file, fileProblem(error), FILE_HINT);
  }
}

/** Writes `name` into a folder made by makeOutputDir (one line on failure, naming the file). */
export function writeOutputFile(flag: string, dir: string, name: string, content: string): string {
  const file = join(dir, name);
  makeOutputDir(flag, dirname(file));
  try {
    writeFileSync(file, content);
  } catch (error) {
    fail(flag, dir, `cannot write ${file}: ${fileProblem(error)}`);
  }
  return file;
}
