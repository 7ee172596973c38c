import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ComponentName, Ports } from './components.ts';
import { LocalClusterError } from './errors.ts';
import type { Layout } from './paths.ts';
import { isAlive } from './processes.ts';

/** What `up` records in `<stateDir>/state.json`. */
export interface StateFile {
  schema: 1;
  name: string;
  binDir: string;
  kubernetesVersion: string;
  server: string;
  ports: Ports;
  nodes: string[];
  startedAt: string;
  readyAt?: string;
}

export async function readState(layout: Layout): Promise<StateFile | undefined> {
  try {
    const parsed = JSON.parse(await readFile(layout.stateFile, 'utf8')) as StateFile;
    return parsed.schema === 1 ? parsed : undefined;
  } catch {
    return undefined;
  }
}

export async function writeState(layout: Layout, state: StateFile): Promise<void> {
  const tmp = `${layout.stateFile}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(state, null, 2)}\n`);
  await rename(tmp, layout.stateFile);
}

export const pidFile = (layout: Layout, name: ComponentName): string => join(layout.pidsDir, `${name}.pid`);
export const logFile = (layout: Layout, name: ComponentName): string => join(layout.logsDir, `${name}.log`);

/** A pid file holds the pid and the binary path (to tell our process from a recycled pid). */
export async function writePidFile(
  layout: Layout,
  name: ComponentName,
  pid: number,
  bin: string,
): Promise<void> {
  await writeFile(pidFile(layout, name), `${pid}\n${bin}\n`);
}

export async function readPidFile(
  layout: Layout,
  name: ComponentName,
): Promise<{ pid: number; bin?: string } | undefined> {
  try {
    const [pidLine, bin] = (await readFile(pidFile(layout, name), 'utf8')).split('\n');
    const pid = Number.parseInt(pidLine ?? '', 10);
    if (!Number.isInteger(pid) || pid <= 0) return undefined;
    return bin ? { pid, bin } : { pid };
  } catch {
    return undefined;
  }
}

/**
 * A lock directory so two `up` calls on one state dir do not race. A lock left by a dead process
 * is taken over.
 */
export async function acquireLock(layout: Layout): Promise<() => Promise<void>> {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await mkdir(layout.lockDir);
      await writeFile(join(layout.lockDir, 'pid'), `${process.pid}\n`);
      return async () => {
        await rm(layout.lockDir, { recursive: true, force: true });
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      let holder = Number.NaN;
      try {
        holder = Number.parseInt(await readFile(join(layout.lockDir, 'pid'), 'utf8'), 10);
      } catch {
        // a lock without pid: being created right now, or left over
      }
      if (Number.isInteger(holder) && holder !== process.pid && isAlive(holder)) {
        throw new LocalClusterError(
          'BUSY',
          `another berth process (pid ${holder}) is starting this local cluster (${layout.stateDir})`,
          'wait for it to finish, or stop it',
        );
      }
      await rm(layout.lockDir, { recursive: true, force: true });
    }
  }
  throw new LocalClusterError(
    'BUSY',
    `could not lock ${layout.lockDir}`,
    'remove the directory if no berth process runs',
  );
}
