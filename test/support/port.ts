/** What the tests' throwaway servers share: a free port, waiting until one answers, stopping it. */
import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

/** A TCP port on 127.0.0.1 nothing listens on. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject()));
    });
  });
}

/**
 * Waits until `answers` says the server `name` serves (every 100 ms, 30 s at most), and returns
 * how to stop it (SIGTERM, then wait for its exit). Throws when it exits first.
 */
export async function serving(
  name: string,
  server: ChildProcess,
  answers: () => Promise<boolean>,
): Promise<() => Promise<void>> {
  const exited = new Promise<void>((resolve) => server.once('exit', () => resolve()));
  for (let attempt = 0; !(await answers().catch(() => false)); attempt++) {
    if (server.exitCode !== null) throw new Error(`${name} exited with code ${server.exitCode}`);
    if (attempt > 300) throw new Error(`${name} did not answer within 30 s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return async () => {
    if (server.exitCode === null) {
      server.kill('SIGTERM');
      await exited;
    }
  };
}
