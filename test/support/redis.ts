/**
 * A throwaway Redis server from the Debian packages (scripts/test.sh installs `redis-server`):
 * password, append-only persistence as the bundled server runs it, a random port on 127.0.0.1, its
 * data in a directory the caller owns (so a test can stop it, change its files, and start it again).
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { freePort, serving } from './port.ts';

const run = promisify(execFile);

export interface Redis {
  /** REDIS_HOST, REDIS_PORT and REDISCLI_AUTH for redis-cli and the backup scripts. */
  readonly env: NodeJS.ProcessEnv;
  /** redis-cli with these settings; returns its trimmed output. */
  cli(...args: string[]): Promise<string>;
  stop(): Promise<void>;
}

/** Starts redis-server on `dir` with `password` (a new one when omitted) and waits for PING. */
export async function startRedis(dir: string, password = randomBytes(12).toString('hex')): Promise<Redis> {
  const port = await freePort();
  const env = {
    ...process.env,
    REDIS_HOST: '127.0.0.1',
    REDIS_PORT: String(port),
    REDISCLI_AUTH: password,
  };
  const server: ChildProcess = spawn(
    'redis-server',
    ['-', '--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--save', ''],
    { env: { ...process.env, REDIS_PASSWORD: password }, stdio: ['pipe', 'ignore', 'inherit'] },
  );
  // The password goes in by the config on stdin, not the command line.
  server.stdin?.end(`requirepass ${password}\n`);
  const cli = async (...args: string[]) =>
    (await run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args], { env })).stdout.trim();
  const stop = await serving('redis-server', server, async () => (await cli('PING')) === 'PONG');
  return {
    env,
    cli,
    stop,
  };
}
