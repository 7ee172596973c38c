/** The cluster flags, defined once for every command that talks to a cluster. */
import type { Command } from 'commander';
import type { ClusterTarget } from '../actions/cluster.ts';

export interface ClusterFlags {
  kubeconfig?: string;
  kubeContext?: string;
  namespace?: string;
  output: string;
}

/** Which kubeconfig and context: `when` prefixes the help of commands that connect only sometimes. */
export function connectionOptions(command: Command, when = ''): Command {
  return command
    .option(
      '--kubeconfig <path>',
      `${when}kubeconfig file (default: $KUBECONFIG, then the config file in ~/.kube)`,
    )
    .option('--kube-context <name>', `${when}kubeconfig context to use`);
}

export function clusterOptions(
  command: Command,
  namespaceHelp = "namespace of the release (default: the kubeconfig context's)",
): Command {
  return connectionOptions(command.option('-n, --namespace <namespace>', namespaceHelp)).option(
    '-o, --output <format>',
    'text or json',
    'text',
  );
}

export function clusterTarget(flags: Omit<ClusterFlags, 'output'>): ClusterTarget {
  return { kubeconfig: flags.kubeconfig, context: flags.kubeContext, namespace: flags.namespace };
}
