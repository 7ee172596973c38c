import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BerthError } from '../errors.ts';
import { INSTALL_ROOT } from '../root.ts';

/** Repository root. */
export const repoRoot: string = resolve(fileURLToPath(INSTALL_ROOT));

/** The build script of the control plane binaries. */
export const buildScript: string = join(repoRoot, 'cluster', 'build.sh');

/** Our kwok stage files (node and pod lifecycles). */
export const kwokStageFiles: readonly string[] = [
  join(repoRoot, 'cluster', 'kwok', 'stages', 'node.yaml'),
  join(repoRoot, 'cluster', 'kwok', 'stages', 'pod.yaml'),
];

export const defaultClusterName = 'default';

/** `${BERTH_STATE_DIR:-${XDG_STATE_HOME:-$HOME/.local/state}/berth}/local` */
export function stateRoot(env: NodeJS.ProcessEnv = process.env): string {
  const base =
    env.BERTH_STATE_DIR ||
    join(env.XDG_STATE_HOME || join(env.HOME || homedir(), '.local', 'state'), 'berth');
  return join(base, 'local');
}

export interface LocationOptions {
  /** Cluster name (a folder under the state root). Default `default`. */
  name?: string;
  /** Use exactly this state directory (overrides name and the state root). */
  stateDir?: string;
}

export function resolveStateDir(options: LocationOptions = {}): string {
  if (options.stateDir) return resolve(options.stateDir);
  const name = options.name ?? defaultClusterName;
  if (!/^[a-zA-Z0-9][a-zA-Z0-9._-]{0,62}$/.test(name)) {
    throw new BerthError(
      'BERTH_LOCAL_NAME',
      `--name ${JSON.stringify(name)}: expected a local cluster name (letters, digits, ".", "_" and "-", starting with a letter or digit, at most 63 characters)`,
    );
  }
  return join(stateRoot(), name);
}

/** Files and folders inside one cluster's state directory. */
export function layout(stateDir: string) {
  return {
    stateDir,
    stateFile: join(stateDir, 'state.json'),
    lockDir: join(stateDir, 'up.lock'),
    pkiDir: join(stateDir, 'pki'),
    logsDir: join(stateDir, 'logs'),
    pidsDir: join(stateDir, 'pids'),
    etcdDataDir: join(stateDir, 'etcd-data'),
    configDir: join(stateDir, 'config'),
    kubeconfig: join(stateDir, 'kubeconfig'),
  };
}

export type Layout = ReturnType<typeof layout>;
