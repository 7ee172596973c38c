import { readFile } from 'node:fs/promises';
import { request as httpsRequest } from 'node:https';
import type { KeyPair } from './certs.ts';

/** A connection to a TLS endpoint of the cluster with a client certificate. */
export interface Connection {
  server: string;
  ca: Buffer;
  cert: Buffer;
  key: Buffer;
  /** Skip server certificate verification (for the self-signed health ports of components). */
  insecure?: boolean;
}

export async function loadConnection(server: string, caFile: string, client: KeyPair): Promise<Connection> {
  const [ca, cert, key] = await Promise.all([readFile(caFile), readFile(client.cert), readFile(client.key)]);
  return { server, ca, cert, key };
}

export interface ApiResponse {
  status: number;
  body: string;
}

/** One HTTPS request; never throws for HTTP statuses, only for transport errors and time-outs. */
export function call(
  conn: Connection,
  method: string,
  path: string,
  body?: unknown,
  timeoutMs = 5_000,
): Promise<ApiResponse> {
  return new Promise((resolveResponse, reject) => {
    const url = new URL(path, conn.server);
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = httpsRequest(
      url,
      {
        method,
        ca: conn.ca,
        cert: conn.cert,
        key: conn.key,
        rejectUnauthorized: !conn.insecure,
        agent: false,
        headers: {
          accept: 'application/json',
          ...(payload === undefined
            ? {}
            : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }),
        },
        timeout: timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolveResponse({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${url.href} timed out after ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(payload);
  });
}

/** GET a health endpoint (/readyz, /healthz); true on HTTP 200. Never throws. */
export async function healthy(conn: Connection, path: string, timeoutMs = 2_000): Promise<boolean> {
  try {
    return (await call(conn, 'GET', path, undefined, timeoutMs)).status === 200;
  } catch {
    return false;
  }
}

/** GET returning parsed JSON, or undefined on 404. Throws on other non-2xx statuses. */
export async function getJson<T>(conn: Connection, path: string): Promise<T | undefined> {
  const res = await call(conn, 'GET', path);
  if (res.status === 404) return undefined;
  if (res.status < 200 || res.status > 299)
    throw new Error(`GET ${path}: HTTP ${res.status}: ${res.body.slice(0, 500)}`);
  return JSON.parse(res.body) as T;
}

/** POST an object; an existing object (409) counts as success. */
export async function createIfMissing(
  conn: Connection,
  path: string,
  object: unknown,
): Promise<'created' | 'exists'> {
  const res = await call(conn, 'POST', path, object);
  if (res.status === 201 || res.status === 200) return 'created';
  if (res.status === 409) return 'exists';
  throw new Error(`POST ${path}: HTTP ${res.status}: ${res.body.slice(0, 500)}`);
}
