/** berth local up|down|status|kubeconfig: the local control plane for trying berth and for tests. */
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { BerthError } from '../../errors.ts';
import { down, formatElapsed, kubeconfigPath, status, up } from '../../local/index.ts';
import { parseDuration } from '../duration.ts';
import { parseWholeNumber } from '../flags.ts';
import { note, OUTPUT_FORMATS, parseOutputFormat, printJson, printLine, table } from '../output.ts';

interface LocalFlags {
  name: string;
  output: string;
}

function withName(command: Command): Command {
  return command
    .option('--name <name>', 'name of the local cluster (several can run side by side)', 'default')
    .option('-o, --output <format>', 'text or json', 'text');
}

const mib = (bytes?: number) => (bytes === undefined ? '-' : `${Math.round(bytes / 1048576)} MiB`);

export function registerLocalCommands(program: Command): void {
  const local = program
    .command('local')
    .description(
      'a real Kubernetes control plane on 127.0.0.1 (etcd, kube-apiserver, controller-manager, scheduler, kwok nodes)',
    );

  withName(
    local.command('up').description('start the local cluster (builds it from Go modules the first time)'),
  )
    .option('--nodes <n>', 'number of simulated nodes', '3')
    .option(
      '--timeout <duration>',
      'give up when the cluster is not ready this long after start (a first build is not counted)',
      '120s',
    )
    .action(async (flags: LocalFlags & { nodes: string; timeout: string }) => {
      const json = parseOutputFormat(flags.output, OUTPUT_FORMATS) === 'json';
      const timeoutMs = parseDuration('--timeout', flags.timeout);
      const nodes = parseWholeNumber('--nodes', flags.nodes, { min: 1, max: 100 });
      // Ctrl-C or TERM stop a build or a start cleanly (a second one kills berth at once).
      const controller = new AbortController();
      const abort = () => controller.abort();
      process.once('SIGINT', abort);
      process.once('SIGTERM', abort);
      let info: Awaited<ReturnType<typeof up>>;
      try {
        info = await up({
          name: flags.name,
          // Minutes of build with no output look like a hang: build progress goes to stderr even for -o json.
          build: { onProgress: (line) => note(line) },
          nodes,
          timeoutMs,
          signal: controller.signal,
          onProgress: json ? undefined : (line) => note(line),
        });
      } finally {
        process.off('SIGINT', abort);
        process.off('SIGTERM', abort);
      }
      if (json) return printJson(info);
      const built =
        info.buildMs === undefined ? '' : ` (after building it in ${formatElapsed(info.buildMs)})`;
      const seconds = info.timings
        ? ` in ${(info.timings.ready / 1000).toFixed(1)}s${built}`
        : ' (already running)';
      printLine(
        `local cluster "${info.name}" ready${seconds}: Kubernetes ${info.kubernetesVersion} at ${info.server}, ${info.nodes.length} nodes`,
      );
      printLine(`export KUBECONFIG=${info.kubeconfig}`);
    });

  withName(local.command('down').description('stop the local cluster and delete its data')).action(
    async (flags: LocalFlags) => {
      const result = await down({ name: flags.name });
      if (parseOutputFormat(flags.output, OUTPUT_FORMATS) === 'json') return printJson(result);
      printLine(
        result.existed
          ? `local cluster "${result.name}" stopped (${result.stopped.length} processes)`
          : `local cluster "${result.name}" was not running`,
      );
    },
  );

  withName(local.command('status').description('show whether the local cluster runs')).action(
    async (flags: LocalFlags) => {
      const result = await status({ name: flags.name });
      if (parseOutputFormat(flags.output, OUTPUT_FORMATS) === 'json') return printJson(result);
      printLine(
        `local cluster "${result.name}": ${result.running ? 'running' : result.exists ? 'stopped or broken' : 'not created'}${result.server ? ` at ${result.server}` : ''}`,
      );
      if (result.components.length) {
        printLine(
          table([
            ['COMPONENT', 'RUNNING', 'PID', 'PORT', 'MEMORY'],
            ...result.components.map((c) => [
              c.name,
              c.running ? 'yes' : 'no',
              String(c.pid ?? '-'),
              String(c.port ?? '-'),
              mib(c.rssBytes),
            ]),
          ]),
        );
      }
    },
  );

  local
    .command('kubeconfig')
    .description("print the path of the local cluster's kubeconfig")
    .option('--name <name>', 'name of the local cluster', 'default')
    .action((flags: { name: string }) => {
      const path = kubeconfigPath({ name: flags.name });
      // A path to nothing would make KUBECONFIG="$(berth local kubeconfig)" fail later, far from the cause.
      if (!existsSync(path))
        throw new BerthError(
          'BERTH_LOCAL_NOT_CREATED',
          `local cluster "${flags.name}" has not been created`,
          {
            hint: `berth local up${flags.name === 'default' ? '' : ` --name ${flags.name}`} creates it`,
          },
        );
      printLine(path);
    });
}
