import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { LocalClusterError } from './errors.ts';

const run = promisify(execFile);

/** Client identities that get a certificate signed by the cluster CA. */
export const clientIdentities = {
  /** The user of the written kubeconfig: full rights through the system:masters group. */
  admin: { cn: 'berth-admin', o: 'system:masters' },
  controllerManager: { cn: 'system:kube-controller-manager', o: undefined },
  scheduler: { cn: 'system:kube-scheduler', o: undefined },
  /** kwok writes Node and Pod status, Leases and deletes Pods: give it full rights. */
  kwok: { cn: 'berth-kwok', o: 'system:masters' },
} as const;

export type ClientIdentity = keyof typeof clientIdentities;

export interface KeyPair {
  cert: string;
  key: string;
}

export interface Pki {
  dir: string;
  ca: KeyPair;
  apiserver: KeyPair;
  clients: Record<ClientIdentity, KeyPair>;
  serviceAccountKey: string;
  serviceAccountPub: string;
}

/** Where each file of the PKI lives under `dir`. */
export function pkiFiles(dir: string): Pki {
  const pair = (name: string): KeyPair => ({ cert: join(dir, `${name}.crt`), key: join(dir, `${name}.key`) });
  return {
    dir,
    ca: pair('ca'),
    apiserver: pair('apiserver'),
    clients: {
      admin: pair('admin'),
      controllerManager: pair('kube-controller-manager'),
      scheduler: pair('kube-scheduler'),
      kwok: pair('kwok'),
    },
    serviceAccountKey: join(dir, 'service-account.key'),
    serviceAccountPub: join(dir, 'service-account.pub'),
  };
}

const completeMarker = 'complete';

async function openssl(args: string[]): Promise<void> {
  try {
    await run('openssl', args, { timeout: 30_000 });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') {
      throw new LocalClusterError(
        'TOOL_MISSING',
        'the openssl command is needed to create the local cluster certificates and was not found',
        'install it (Debian/Ubuntu: apt-get install -y openssl)',
        { cause: err },
      );
    }
    throw new Error(`openssl ${args[0]} failed: ${e.stderr?.trim() || e.message}`, { cause: err });
  }
}

function serial(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] ?? 0) & 0x7f; // positive
  return `0x${bytes.toString('hex')}`;
}

function configText(subject: { cn: string; o?: string | undefined }, extensions: string[]): string {
  return [
    '[req]',
    'prompt = no',
    'distinguished_name = dn',
    '[dn]',
    ...(subject.o ? [`O = ${subject.o}`] : []),
    `CN = ${subject.cn}`,
    '[ext]',
    ...extensions,
    '',
  ].join('\n');
}

const days = '3650';
const curve = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

async function createCa(dir: string, ca: KeyPair): Promise<void> {
  const cfg = join(dir, 'ca.cnf');
  await writeFile(
    cfg,
    configText({ cn: 'berth-local-ca' }, [
      'basicConstraints = critical,CA:TRUE',
      'keyUsage = critical,keyCertSign,cRLSign,digitalSignature',
      'subjectKeyIdentifier = hash',
    ]),
  );
  await openssl([
    'req',
    '-x509',
    '-new',
    ...curve,
    '-keyout',
    ca.key,
    '-out',
    ca.cert,
    '-days',
    days,
    '-config',
    cfg,
    '-extensions',
    'ext',
    '-set_serial',
    serial(),
  ]);
  await rm(cfg, { force: true });
}

async function createLeaf(
  dir: string,
  name: string,
  ca: KeyPair,
  out: KeyPair,
  subject: { cn: string; o?: string | undefined },
  extensions: string[],
): Promise<void> {
  const cfg = join(dir, `${name}.cnf`);
  const csr = join(dir, `${name}.csr`);
  await writeFile(
    cfg,
    configText(subject, [
      'basicConstraints = critical,CA:FALSE',
      'keyUsage = critical,digitalSignature,keyEncipherment',
      'subjectKeyIdentifier = hash',
      'authorityKeyIdentifier = keyid',
      ...extensions,
    ]),
  );
  await openssl(['req', '-new', ...curve, '-keyout', out.key, '-out', csr, '-config', cfg]);
  await openssl([
    'x509',
    '-req',
    '-in',
    csr,
    '-CA',
    ca.cert,
    '-CAkey',
    ca.key,
    '-set_serial',
    serial(),
    '-days',
    days,
    '-extfile',
    cfg,
    '-extensions',
    'ext',
    '-out',
    out.cert,
  ]);
  await rm(cfg, { force: true });
  await rm(csr, { force: true });
}

/** DNS names and IPs the API server's serving certificate is valid for. */
export const apiserverSans = [
  'DNS:localhost',
  'DNS:kubernetes',
  'DNS:kubernetes.default',
  'DNS:kubernetes.default.svc',
  'DNS:kubernetes.default.svc.cluster.local',
  'IP:127.0.0.1',
  'IP:10.0.0.1',
];

/**
 * Creates (once) the cluster PKI in `dir`: a CA, the API server's serving certificate, client
 * certificates for admin and each component, and the service-account signing key. All keys are
 * ECDSA P-256. A PKI that is already complete is reused as is.
 */
export async function ensurePki(dir: string): Promise<Pki> {
  const pki = pkiFiles(dir);
  if (existsSync(join(dir, completeMarker))) return pki;
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true, mode: 0o700 });

  await createCa(dir, pki.ca);
  const jobs: Promise<void>[] = [
    createLeaf(dir, 'apiserver', pki.ca, pki.apiserver, { cn: 'kube-apiserver' }, [
      'extendedKeyUsage = serverAuth',
      `subjectAltName = ${apiserverSans.join(',')}`,
    ]),
    (async () => {
      await openssl([
        'genpkey',
        '-algorithm',
        'EC',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-out',
        pki.serviceAccountKey,
      ]);
      await openssl(['pkey', '-in', pki.serviceAccountKey, '-pubout', '-out', pki.serviceAccountPub]);
    })(),
  ];
  for (const id of Object.keys(clientIdentities) as ClientIdentity[]) {
    const fileName = pki.clients[id].cert.slice(dir.length + 1).replace(/\.crt$/, '');
    jobs.push(
      createLeaf(dir, fileName, pki.ca, pki.clients[id], clientIdentities[id], [
        'extendedKeyUsage = clientAuth',
      ]),
    );
  }
  await Promise.all(jobs);
  await writeFile(join(dir, completeMarker), `${new Date().toISOString()}\n`);
  return pki;
}
