/**
 * Finds and loads the kubeconfig the way kubectl does: an explicit path, else $KUBECONFIG (a list
 * of files, merged, first wins), else ~/.kube/config, else the in-cluster service account.
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { KubeconfigError } from './errors.ts';

export interface KubeconfigOptions {
  /** Path to a kubeconfig file. @default $KUBECONFIG, else ~/.kube/config */
  readonly kubeconfig?: string | undefined;
  /** Context to use instead of the file's current-context (`--kube-context`). */
  readonly context?: string | undefined;
  /** Default namespace for objects without one. @default the context's namespace, else `default` */
  readonly namespace?: string | undefined;
}

/** The loaded config with what berth needs to know about it. */
export interface LoadedKubeconfig {
  readonly kubeConfig: KubeConfig;
  readonly context: string;
  readonly server: string;
  readonly namespace: string;
  /** Where the config came from, for messages. */
  readonly source: string;
}

const serviceAccountToken = '/var/run/secrets/kubernetes.io/serviceaccount/token';

function loadFile(kubeConfig: KubeConfig, file: string): void {
  if (!existsSync(file)) {
    throw new KubeconfigError(
      `kubeconfig ${file} does not exist`,
      'pass --kubeconfig or set KUBECONFIG to an existing file',
    );
  }
  try {
    kubeConfig.loadFromFile(file);
  } catch (err) {
    throw new KubeconfigError(
      `kubeconfig ${file} cannot be read: ${(err instanceof Error ? err.message : String(err)).split('\n')[0]}`,
      'check that the file is a valid kubeconfig (kubectl config view --kubeconfig <file>)',
      err,
    );
  }
}

function loadSources(kubeConfig: KubeConfig, explicit: string | undefined): string {
  if (explicit) {
    loadFile(kubeConfig, explicit);
    return explicit;
  }
  const fromEnv = (process.env.KUBECONFIG ?? '').split(delimiter).filter((file) => file.length > 0);
  const existing = fromEnv.filter((file) => existsSync(file));
  if (fromEnv.length > 0 && existing.length === 0) {
    throw new KubeconfigError(
      `KUBECONFIG names no existing file (${fromEnv.join(delimiter)})`,
      'fix KUBECONFIG or pass --kubeconfig',
    );
  }
  if (existing.length > 0) {
    const [first, ...rest] = existing;
    loadFile(kubeConfig, first!);
    for (const file of rest) {
      const next = new KubeConfig();
      loadFile(next, file);
      // kubectl's merge rule: the first file to set a name wins; mergeConfig throws on duplicates.
      next.clusters = next.clusters.filter((c) => !kubeConfig.getCluster(c.name));
      next.users = next.users.filter((u) => !kubeConfig.getUser(u.name));
      next.contexts = next.contexts.filter((c) => !kubeConfig.getContextObject(c.name));
      kubeConfig.mergeConfig(next, Boolean(kubeConfig.currentContext));
    }
    return existing.join(delimiter);
  }
  const home = join(homedir(), '.kube', 'config');
  if (existsSync(home)) {
    loadFile(kubeConfig, home);
    return home;
  }
  if (process.env.KUBERNETES_SERVICE_HOST && existsSync(serviceAccountToken)) {
    kubeConfig.loadFromCluster();
    return 'in-cluster service account';
  }
  throw new KubeconfigError(
    'no kubeconfig found (looked at KUBECONFIG and ~/.kube/config)',
    'pass --kubeconfig <file>, set KUBECONFIG, or run `berth local up` for a local cluster',
  );
}

function checkServerUrl(server: string, context: string, source: string): void {
  let url: URL | undefined;
  try {
    url = new URL(server);
  } catch {
    url = undefined;
  }
  if (!url || !['https:', 'http:'].includes(url.protocol) || !url.hostname) {
    throw new KubeconfigError(
      `context ${context} in ${source}: the server URL ${JSON.stringify(server)} is not an https:// URL`,
      'the server of a cluster looks like https://host:6443 (kubectl config view shows it)',
    );
  }
}

/** Certificate and key files the context names must exist (their content is checked on connect). */
function checkReferencedFiles(kubeConfig: KubeConfig, context: string, source: string): void {
  const cluster = kubeConfig.getCurrentCluster();
  const user = kubeConfig.getCurrentUser();
  const files: [string, string | undefined][] = [
    ['certificate-authority', cluster?.caFile],
    ['client-certificate', user?.certFile],
    ['client-key', user?.keyFile],
  ];
  for (const [field, file] of files) {
    if (file && !existsSync(file)) {
      throw new KubeconfigError(
        `context ${context} in ${source}: ${field} ${file} does not exist`,
        'fix the path in the kubeconfig or use the *-data form of the field',
      );
    }
  }
}

const pemOf = (data: string | undefined, file: string | undefined): Buffer | undefined =>
  data ? Buffer.from(data, 'base64') : file ? readFileSync(file) : undefined;

/**
 * TLS settings Node would otherwise accept silently or fail on deep in a request: a client key
 * that does not match its certificate (the request goes out without one, as system:anonymous),
 * and skip-verify next to a certificate-authority, which kubectl refuses as contradictory.
 */
function checkTls(kubeConfig: KubeConfig, context: string, source: string, server: string): void {
  const cluster = kubeConfig.getCurrentCluster();
  const user = kubeConfig.getCurrentUser();
  const where = `context ${context} in ${source} (API server ${server})`;
  if (cluster?.skipTLSVerify && (cluster.caData || cluster.caFile)) {
    throw new KubeconfigError(
      `${where}: insecure-skip-tls-verify is set together with a certificate-authority`,
      'remove one of them: keep the certificate-authority to verify the server (kubectl refuses both too)',
    );
  }
  const cert = pemOf(user?.certData, user?.certFile);
  const key = pemOf(user?.keyData, user?.keyFile);
  if (!cert || !key) return;
  let matches: boolean;
  try {
    matches = new X509Certificate(cert).checkPrivateKey(createPrivateKey(key));
  } catch (err) {
    throw new KubeconfigError(
      `${where}: the client certificate or key is not valid PEM: ${(err instanceof Error ? err.message : String(err)).split('\n')[0]}`,
      'check client-certificate(-data) and client-key(-data) (kubectl config view --raw)',
      err,
    );
  }
  if (!matches) {
    throw new KubeconfigError(
      `${where}: the client key does not match its certificate`,
      'put the key that belongs to client-certificate(-data) in client-key(-data)',
    );
  }
}

/** Loads the kubeconfig and selects the context; every problem is a KubeconfigError (a user error). */
export function loadKubeconfig(options: KubeconfigOptions = {}): LoadedKubeconfig {
  const kubeConfig = new KubeConfig();
  const source = loadSources(kubeConfig, options.kubeconfig);
  if (options.context) {
    if (!kubeConfig.getContextObject(options.context)) {
      const known = kubeConfig.getContexts().map((c) => c.name);
      throw new KubeconfigError(
        `context ${options.context} is not in ${source}`,
        known.length > 0 ? `known contexts: ${known.join(', ')}` : 'the kubeconfig defines no contexts',
      );
    }
    kubeConfig.setCurrentContext(options.context);
  }
  const context = kubeConfig.getCurrentContext();
  const contextObject = context ? kubeConfig.getContextObject(context) : null;
  if (!contextObject) {
    throw new KubeconfigError(
      `${source} has no current context`,
      'pass --kube-context <name> or run kubectl config use-context <name>',
    );
  }
  const cluster = kubeConfig.getCurrentCluster();
  if (!cluster?.server) {
    throw new KubeconfigError(
      `context ${context} in ${source} names no cluster with a server URL`,
      'fix the kubeconfig (kubectl config view) or pick another context',
    );
  }
  checkServerUrl(cluster.server, context, source);
  checkReferencedFiles(kubeConfig, context, source);
  checkTls(kubeConfig, context, source, cluster.server);
  if (cluster.server.startsWith('http://') && !cluster.skipTLSVerify) {
    // Plain HTTP (kubectl proxy) has no TLS to verify, but the client refuses it unless told to skip.
    kubeConfig.clusters = kubeConfig.clusters.map((c) =>
      c.name === cluster.name ? { ...c, skipTLSVerify: true } : c,
    );
  }
  return {
    kubeConfig,
    context,
    server: cluster.server,
    namespace: options.namespace ?? contextObject.namespace ?? 'default',
    source,
  };
}
