/**
 * A throwaway PostgreSQL server from the Debian packages (scripts/test.sh installs `postgresql`):
 * initdb in a temp dir, password authentication, a random port on 127.0.0.1, stopped and removed
 * afterwards. As root, the server runs as `nobody` (PostgreSQL refuses to run as root).
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './port.ts';

const run = promisify(execFile);

export interface Postgres {
  /** libpq environment (PGHOST, PGPORT, PGUSER, PGPASSWORD) plus PATH with the server's tools first. */
  readonly env: NodeJS.ProcessEnv;
  stop(): Promise<void>;
}

/** The newest installed server's bin directory (Debian: /usr/lib/postgresql/<major>/bin). */
export function postgresBinDir(): string | undefined {
  try {
    const majors = readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a));
    return majors[0] ? `/usr/lib/postgresql/${majors[0]}/bin` : undefined;
  } catch {
    return undefined;
  }
}

export async function startPostgres(user: string): Promise<Postgres> {
  const bin = postgresBinDir();
  if (!bin) throw new Error('PostgreSQL is not installed (apt-get install -y postgresql)');
  const root = mkdtempSync(join(tmpdir(), 'berth-pg-'));
  chmodSync(root, 0o755);
  const data = join(root, 'data');
  const password = randomBytes(12).toString('hex');
  const pwfile = join(root, 'pw');
  writeFileSync(pwfile, password);
  const asServer = process.getuid?.() === 0 ? ['runuser', '-u', 'nobody', '--'] : [];
  if (asServer.length) {
    chownSync(root, 65534, 65534);
    chownSync(pwfile, 65534, 65534);
  }
  const port = await freePort();
  const exec = (args: string[]) =>
    run(asServer[0] ?? args[0]!, [...asServer.slice(1), ...(asServer.length ? args : args.slice(1))]);
  await exec([
    `${bin}/initdb`,
    '-D',
    data,
    '-U',
    user,
    '--auth=scram-sha-256',
    `--pwfile=${pwfile}`,
    '-E',
    'UTF8',
  ]);
  await exec([
    `${bin}/pg_ctl`,
    '-D',
    data,
    '-l',
    join(root, 'log'),
    '-o',
    `-c listen_addresses=127.0.0.1 -p ${port} -k ${root}`,
    '-w',
    'start',
  ]);
  return {
    env: {
      ...process.env,
      PATH: `${bin}:${process.env.PATH}`,
      PGHOST: '127.0.0.1',
      PGPORT: String(port),
      PGUSER: user,
      PGPASSWORD: password,
    },
    async stop() {
      await exec([`${bin}/pg_ctl`, '-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
      rmSync(root, { recursive: true, force: true });
    },
  };
}
