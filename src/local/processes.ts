import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { basename } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export interface SpawnSpec {
  /** Component name, for messages. */
  name: string;
  bin: string;
  args: string[];
  logFile: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

export interface Spawned {
  name: string;
  pid: number;
  child: ChildProcess;
  /** Resolves with the exit code/signal if the process ends (while this process watches it). */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Starts a long-running process detached from ours (its own process group, stdio to a log file)
 * and lets our event loop exit without waiting for it.
 */
export async function spawnDetached(spec: SpawnSpec): Promise<Spawned> {
  const fd = openSync(spec.logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(spec.bin, spec.args, {
      detached: true,
      stdio: ['ignore', fd, fd],
      env: spec.env ?? process.env,
      cwd: spec.cwd,
    });
  } finally {
    closeSync(fd);
  }
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolveExit) => {
    child.once('exit', (code, signal) => resolveExit({ code, signal }));
    child.once('error', () => resolveExit({ code: -1, signal: null }));
  });
  const pid = child.pid;
  if (pid === undefined) {
    const { code } = await exited;
    throw new Error(`could not start ${spec.name} (${spec.bin}): exit ${code}`);
  }
  child.unref();
  return { name: spec.name, pid, child, exited };
}

function procState(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) S ..." — comm may hold spaces and parentheses: take what follows the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  } catch {
    return undefined;
  }
}

function procArgv0(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0];
  } catch {
    return undefined;
  }
}

/**
 * Whether `pid` is a live (not zombie) process; when `bin` is given, also that it runs that
 * binary, so a recycled pid is not mistaken for one of ours.
 */
export function isAlive(pid: number, bin?: string): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const state = procState(pid);
  if (state === 'Z' || state === 'X') return false;
  if (bin !== undefined && state !== undefined) {
    const argv0 = procArgv0(pid);
    if (argv0 !== undefined && argv0 !== bin) return false;
  }
  return true;
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(-pid, sig); // the whole process group (spawned detached: pgid == pid)
  } catch {
    try {
      process.kill(pid, sig);
    } catch {
      // already gone
    }
  }
}

/**
 * Stops a process: SIGTERM to its group, then SIGKILL once `graceMs` has passed.
 * Resolves true when it is gone.
 */
export async function stopProcess(
  pid: number,
  options: { bin?: string; graceMs?: number; killWaitMs?: number } = {},
): Promise<boolean> {
  const { bin, graceMs = 5_000, killWaitMs = 3_000 } = options;
  if (!isAlive(pid, bin)) return true;
  signal(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid, bin)) return true;
    await sleep(50);
  }
  signal(pid, 'SIGKILL');
  const killDeadline = Date.now() + killWaitMs;
  while (Date.now() < killDeadline) {
    if (!isAlive(pid, bin)) return true;
    await sleep(50);
  }
  return !isAlive(pid, bin);
}

/** The last `lines` lines of a (log) file, or '' if it cannot be read. */
export async function tail(file: string, lines = 20, maxBytes = 64 * 1024): Promise<string> {
  try {
    const handle = await open(file, 'r');
    try {
      const { size } = await handle.stat();
      const length = Math.min(size, maxBytes);
      const buffer = Buffer.alloc(length);
      await handle.read(buffer, 0, length, size - length);
      return buffer.toString('utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } finally {
      await handle.close();
    }
  } catch {
    return '';
  }
}

/** Resident set size of a process in bytes (from /proc), or undefined. */
export function rssBytes(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Pids of live processes running one of `binaryNames` whose command line mentions a path inside
 * `dir`: the safety net of `down` for a process whose pid file was lost.
 */
export function processesReferencing(dir: string, binaryNames: readonly string[]): number[] {
  const prefix = dir.endsWith('/') ? dir : `${dir}/`;
  const found: number[] = [];
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return found;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid === process.pid) continue;
    let cmdline: string;
    try {
      cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      continue;
    }
    const args = cmdline.split('\0');
    const exe = basename(args[0] ?? '');
    if (!binaryNames.includes(exe)) continue;
    if (args.some((arg) => arg.includes(prefix) || arg.endsWith(`=${dir}`)) && isAlive(pid)) found.push(pid);
  }
  return found;
}
