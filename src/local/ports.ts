import { createServer } from 'node:net';
import { LocalClusterError } from './errors.ts';

export const loopback = '127.0.0.1';

function listen(port: number): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ host: loopback, port, exclusive: true }, () => {
      const address = server.address();
      const bound = typeof address === 'object' && address ? address.port : port;
      server.close(() => resolvePort(bound));
    });
  });
}

/** A port on 127.0.0.1 that was free a moment ago (the kernel's pick for port 0). */
export async function freePort(): Promise<number> {
  return listen(0);
}

/** Distinct free ports, `count` of them. */
export async function freePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort());
  return [...ports];
}

/** Throws PORT_IN_USE when something listens on 127.0.0.1:port. */
export async function assertPortFree(port: number, what: string): Promise<void> {
  try {
    await listen(port);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES') {
      throw new LocalClusterError(
        'PORT_IN_USE',
        `port ${port} on ${loopback} (for ${what}) is taken`,
        `free the port (e.g. \`ss -ltnp 'sport = :${port}'\` shows who holds it) or let berth pick free ports`,
        { cause: err },
      );
    }
    throw err;
  }
}
