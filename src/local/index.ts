/**
 * The local Kubernetes control plane: etcd, kube-apiserver, kube-controller-manager,
 * kube-scheduler and kwok on 127.0.0.1, built from upstream Go modules by cluster/build.sh.
 * Used by the e2e tests and by berth's local mode. Nothing here prints or exits the process.
 */

export {
  type BuildOptions,
  type BuildResult,
  build,
  buildControlPlane,
  formatElapsed,
  kubernetesVersion,
  resolveBinDir,
  resolveToolsDir,
} from './binaries.ts';
export {
  type ClusterInfo,
  type ClusterStatus,
  type ComponentName,
  type ComponentStatus,
  type DownResult,
  down,
  kubeconfigPath,
  type LocalClusterOptions,
  type Ports,
  type ProgressFn,
  status,
  type UpOptions,
  up,
} from './cluster.ts';
export { LocalClusterError, type LocalClusterErrorCode } from './errors.ts';
export { contextName } from './kubeconfig.ts';
export { defaultClusterName, resolveStateDir, stateRoot } from './paths.ts';
