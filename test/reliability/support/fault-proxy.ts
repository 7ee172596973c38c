/**
 * A fault-injecting HTTPS proxy on 127.0.0.1 in front of the local API server (a test tool). It
 * serves with the API server's own certificate, so a copy of the admin kubeconfig pointing at the
 * proxy's port works unchanged, and forwards with the admin client certificate. A seeded fraction
 * of requests gets a Kubernetes Status error instead of an answer: 409 (writes only), 429 with
 * Retry-After, or a 5xx. Watches are streamed through.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, request as httpsRequest, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

export const FAULT_CODES = [409, 429, 500, 502, 503, 504] as const;
export type FaultCode = (typeof FAULT_CODES)[number];

const REASONS: Record<FaultCode, string> = {
  409: 'Conflict',
  429: 'TooManyRequests',
  500: 'InternalError',
  502: 'BadGateway',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export interface FaultProxy {
  /** A kubeconfig that reaches the API server through the proxy. */
  readonly kubeconfig: string;
  /** Requests forwarded and faults injected, by status code, since the last reset. */
  counts(): { requests: number; faults: Partial<Record<FaultCode, number>> };
  reset(): void;
  /** The fraction of requests that fail (0 lets everything through). */
  setRate(rate: number): void;
  close(): Promise<void>;
}

export async function startFaultProxy(options: {
  readonly stateDir: string;
  readonly kubeconfig: string;
  readonly random: () => number;
  readonly rate: number;
  /** The faults to pick from (every code by default). */
  readonly codes?: readonly FaultCode[];
  /** Where to write the proxy's kubeconfig. */
  readonly dir: string;
}): Promise<FaultProxy> {
  const pki = (name: string) => readFileSync(join(options.stateDir, 'pki', name));
  const upstream = new URL(
    /server:\s*(\S+)/.exec(readFileSync(options.kubeconfig, 'utf8'))?.[1] ?? 'https://127.0.0.1',
  );
  const client = { ca: pki('ca.crt'), cert: pki('admin.crt'), key: pki('admin.key') };
  let rate = options.rate;
  let requests = 0;
  let faults: Partial<Record<FaultCode, number>> = {};

  const fault = (req: IncomingMessage): FaultCode | undefined => {
    if (options.random() >= rate) return undefined;
    const codes = (options.codes ?? FAULT_CODES).filter(
      (code) => code !== 409 || WRITES.has(req.method ?? ''),
    );
    return codes.length ? codes[Math.floor(options.random() * codes.length)] : undefined;
  };

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    requests++;
    const code = fault(req);
    if (code !== undefined) {
      faults[code] = (faults[code] ?? 0) + 1;
      req.resume();
      res.writeHead(code, {
        'content-type': 'application/json',
        ...(code === 429 ? { 'retry-after': '1' } : {}),
      });
      res.end(
        JSON.stringify({
          kind: 'Status',
          apiVersion: 'v1',
          metadata: {},
          status: 'Failure',
          message: `injected by the reliability proxy: ${REASONS[code]}`,
          reason: REASONS[code],
          code,
        }),
      );
      return;
    }
    const forward = httpsRequest(
      {
        ...client,
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: upstream.host },
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on('error', () => res.destroy());
    res.on('close', () => forward.destroy());
    req.pipe(forward);
  };

  const server: Server = createServer({ cert: pki('apiserver.crt'), key: pki('apiserver.key') }, handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const kubeconfig = join(options.dir, 'proxy.kubeconfig');
  writeFileSync(
    kubeconfig,
    readFileSync(options.kubeconfig, 'utf8').replace(/server:\s*\S+/, `server: https://127.0.0.1:${port}`),
  );
  return {
    kubeconfig,
    counts: () => ({ requests, faults: { ...faults } }),
    reset() {
      requests = 0;
      faults = {};
    },
    setRate(next) {
      rate = next;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
