/** Starts the console server on an address and port, with fresh access and CSRF tokens. */
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { ConsoleBackend } from '../actions/console.ts';
import { BerthError, ExitCode } from '../errors.ts';
import type { Assets } from './assets.ts';
import { consoleApp } from './server.ts';

export interface StartOptions {
  readonly backend: ConsoleBackend;
  readonly assets: Assets;
  readonly address: string;
  /** 0: any free port. */
  readonly port: number;
  readonly readOnly: boolean;
}

export interface RunningConsole {
  /** The URL to open, access token included. */
  readonly url: string;
  close(): Promise<void>;
}

const LISTEN_PROBLEMS: Record<string, readonly [string, string]> = {
  EADDRINUSE: ['the port is in use', 'pass another --port, or --port 0 for any free one'],
  EACCES: ['not allowed to listen there', 'ports below 1024 need privileges; pass a higher --port'],
  EADDRNOTAVAIL: [
    'no interface of this machine has that address',
    'pass 127.0.0.1 or an address of this machine',
  ],
};

function listenError(options: StartOptions, error: NodeJS.ErrnoException): BerthError {
  const [problem, hint] = LISTEN_PROBLEMS[error.code ?? ''] ?? [error.code ?? error.message, undefined];
  return new BerthError(
    'BERTH_CONSOLE_LISTEN',
    `cannot listen on ${options.address} port ${options.port}: ${problem}`,
    {
      exitCode: ExitCode.runtime,
      ...(hint ? { hint } : {}),
    },
  );
}

export function startConsole(options: StartOptions): Promise<RunningConsole> {
  const token = randomBytes(24).toString('base64url');
  const csrf = randomBytes(24).toString('base64url');
  const app = consoleApp({ ...options, token, csrf });
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, hostname: options.address, port: options.port }, (info) => {
      const { port } = info as AddressInfo;
      const host = options.address.includes(':') ? `[${options.address}]` : options.address;
      resolve({
        url: `http://${host}:${port}/?token=${token}`,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            (server as { closeAllConnections?: () => void }).closeAllConnections?.();
          }),
      });
    });
    server.once('error', (error: NodeJS.ErrnoException) => reject(listenError(options, error)));
  });
}
