import { join } from 'node:path';
import type { ControlPlaneBinary } from './binaries.ts';
import { kwokNodeAnnotation } from './bootstrap.ts';
import type { Pki } from './certs.ts';
import type { Layout } from './paths.ts';
import { loopback } from './ports.ts';

export type ComponentName = ControlPlaneBinary;

/** Start order; `down` stops in reverse. */
export const componentOrder: readonly ComponentName[] = [
  'etcd',
  'kube-apiserver',
  'kube-controller-manager',
  'kube-scheduler',
  'kwok',
];

export interface Ports {
  etcd: number;
  etcdPeer: number;
  apiserver: number;
  controllerManager: number;
  scheduler: number;
}

export const portNames: readonly (keyof Ports)[] = [
  'etcd',
  'etcdPeer',
  'apiserver',
  'controllerManager',
  'scheduler',
];

export const serviceClusterIpRange = '10.0.0.0/24';
export const podCidr = '10.244.0.0/16';
export const serviceAccountIssuer = 'https://kubernetes.default.svc.cluster.local';

export interface ComponentContext {
  layout: Layout;
  pki: Pki;
  ports: Ports;
  /** Component kubeconfig paths. */
  kubeconfigs: { controllerManager: string; scheduler: string; kwok: string };
  kwokStages: string[];
  /** When false, etcd skips fsync (faster, loses data on a machine crash). */
  durable: boolean;
}

export function componentKubeconfigs(layout: Layout): ComponentContext['kubeconfigs'] {
  return {
    controllerManager: join(layout.configDir, 'kube-controller-manager.kubeconfig'),
    scheduler: join(layout.configDir, 'kube-scheduler.kubeconfig'),
    kwok: join(layout.configDir, 'kwok.kubeconfig'),
  };
}

const url = (port: number) => `http://${loopback}:${port}`;

export function componentArgs(name: ComponentName, ctx: ComponentContext): string[] {
  const { layout, pki, ports, kubeconfigs } = ctx;
  switch (name) {
    case 'etcd':
      return [
        '--name=berth-local',
        `--data-dir=${layout.etcdDataDir}`,
        `--listen-client-urls=${url(ports.etcd)}`,
        `--advertise-client-urls=${url(ports.etcd)}`,
        `--listen-peer-urls=${url(ports.etcdPeer)}`,
        `--initial-advertise-peer-urls=${url(ports.etcdPeer)}`,
        `--initial-cluster=berth-local=${url(ports.etcdPeer)}`,
        '--log-level=warn',
        ...(ctx.durable ? [] : ['--unsafe-no-fsync=true']),
      ];
    case 'kube-apiserver':
      return [
        `--etcd-servers=${url(ports.etcd)}`,
        `--bind-address=${loopback}`,
        `--advertise-address=${loopback}`,
        `--secure-port=${ports.apiserver}`,
        `--tls-cert-file=${pki.apiserver.cert}`,
        `--tls-private-key-file=${pki.apiserver.key}`,
        `--client-ca-file=${pki.ca.cert}`,
        '--authorization-mode=Node,RBAC',
        `--service-account-issuer=${serviceAccountIssuer}`,
        `--service-account-key-file=${pki.serviceAccountPub}`,
        `--service-account-signing-key-file=${pki.serviceAccountKey}`,
        `--service-cluster-ip-range=${serviceClusterIpRange}`,
        '--endpoint-reconciler-type=none',
        // Front-proxy (request header) auth: only a CN we never issue may use it. Setting it fills
        // kube-system/extension-apiserver-authentication, so the components stop logging its absence.
        `--requestheader-client-ca-file=${pki.ca.cert}`,
        '--requestheader-allowed-names=berth-front-proxy',
        '--requestheader-username-headers=X-Remote-User',
        '--requestheader-group-headers=X-Remote-Group',
        '--requestheader-extra-headers-prefix=X-Remote-Extra-',
        '--allow-privileged=true',
        '--profiling=false',
      ];
    case 'kube-controller-manager':
      return [
        `--kubeconfig=${kubeconfigs.controllerManager}`,
        `--authentication-kubeconfig=${kubeconfigs.controllerManager}`,
        `--authorization-kubeconfig=${kubeconfigs.controllerManager}`,
        `--bind-address=${loopback}`,
        `--secure-port=${ports.controllerManager}`,
        '--leader-elect=false',
        '--use-service-account-credentials=true',
        `--service-account-private-key-file=${pki.serviceAccountKey}`,
        `--root-ca-file=${pki.ca.cert}`,
        `--cluster-signing-cert-file=${pki.ca.cert}`,
        `--cluster-signing-key-file=${pki.ca.key}`,
        `--service-cluster-ip-range=${serviceClusterIpRange}`,
        '--enable-hostpath-provisioner=true',
        '--profiling=false',
      ];
    case 'kube-scheduler':
      return [
        `--kubeconfig=${kubeconfigs.scheduler}`,
        `--authentication-kubeconfig=${kubeconfigs.scheduler}`,
        `--authorization-kubeconfig=${kubeconfigs.scheduler}`,
        `--bind-address=${loopback}`,
        `--secure-port=${ports.scheduler}`,
        '--leader-elect=false',
        '--profiling=false',
      ];
    case 'kwok':
      return [
        `--kubeconfig=${kubeconfigs.kwok}`,
        `--manage-nodes-with-annotation-selector=${kwokNodeAnnotation.key}=${kwokNodeAnnotation.value}`,
        ...ctx.kwokStages.map((file) => `--config=${file}`),
        `--cidr=${podCidr}`,
        // Fake nodes get a loopback InternalIP: anything that dials a "kubelet" stays on this machine.
        `--node-ip=${loopback}`,
        '--node-lease-duration-seconds=40',
      ];
  }
}
