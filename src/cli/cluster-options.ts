/** The cluster flags, defined once for every command that talks to a cluster. */
import type { Command } from 'commander';
import type { ClusterTarget } from '../actions/cluster.ts';

export interface ClusterFlags {
  kubeconfig?: string;
  kubeContext?: string;
  namespace?: string;
  output: string;
}

export function clusterOptions(
  command: Command,
  namespaceHelp = "namespace of the release (default: the kubeconfig context's)",
): Command {
  return command
    .option('-n, --namespace <namespace>', namespaceHelp)
    .option('--kubeconfig <path>', 'kubeconfig file (default: $KUBECONFIG, then the config file in ~/.kube)')
    .option('--kube-context <name>', 'kubeconfig context to use')
    .option('-o, --output <format>', 'text or json', 'text');
}

export function clusterTarget(flags: Omit<ClusterFlags, 'output'>): ClusterTarget {
  return { kubeconfig: flags.kubeconfig, context: flags.kubeContext, namespace: flags.namespace };
}
