/** berth console: the local web console over the same core functions as the other commands. */
import { spawn } from 'node:child_process';
import { isIP } from 'node:net';
import type { Command } from 'commander';
import { connect } from '../../actions/cluster.ts';
import { clusterBackend } from '../../actions/console.ts';
import { loadAssets } from '../../console/assets.ts';
import { startConsole } from '../../console/start.ts';
import { BerthError } from '../../errors.ts';
import { checkNamespace } from '../../names.ts';
import { clusterTarget, connectionOptions } from '../cluster-options.ts';
import { parseWholeNumber } from '../flags.ts';
import { note, OUTPUT_FORMATS, parseOutputFormat, printJson, printLine, warn } from '../output.ts';

interface ConsoleFlags {
  namespace: string[];
  kubeconfig?: string;
  kubeContext?: string;
  output: string;
  port: string;
  address: string;
  readOnly?: boolean;
  open: boolean;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** Hands the URL to the desktop's browser; a machine without one just shows the URL. */
function openBrowser(url: string): void {
  const opener =
    process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  const child = spawn(opener, [url], { stdio: 'ignore', detached: true });
  child.on('error', () => undefined);
  child.unref();
}

export function registerConsoleCommand(program: Command): void {
  connectionOptions(
    program
      .command('console')
      .description('serve the web console on this machine (releases, topology, history, upgrades)')
      .option(
        '-n, --namespace <namespace>',
        "namespace to show (repeatable; default: every namespace the credentials may list, else the context's)",
        collect,
        [],
      ),
  )
    .option('-o, --output <format>', 'text or json (the URL as a JSON document)', 'text')
    .option('--port <port>', 'port to listen on (0: any free port)', '7474')
    .option('--address <address>', 'address to listen on', '127.0.0.1')
    .option('--read-only', 'refuse every change (upgrade, rollback, install)')
    .option('--no-open', 'do not open a browser')
    .action(async (flags: ConsoleFlags) => {
      const json = parseOutputFormat(flags.output, OUTPUT_FORMATS) === 'json';
      const port = parseWholeNumber('--port', flags.port, { min: 0, max: 65535 });
      if (isIP(flags.address) === 0 && flags.address !== 'localhost')
        throw new BerthError(
          'BERTH_FLAG_INVALID',
          `--address: expected an IP address of this machine (127.0.0.1, ::1, 0.0.0.0) or localhost, got ${JSON.stringify(flags.address)}`,
        );
      const given = flags.namespace.map(checkNamespace);
      const cluster = clusterTarget({ ...flags, namespace: undefined });
      const { client } = connect({ ...cluster, namespace: given[0] });
      const assets = loadAssets();
      if (assets.missing) warn(assets.missing);
      const running = await startConsole({
        backend: clusterBackend(
          client,
          { namespaces: given.length ? given : [client.namespace], allNamespaces: given.length === 0 },
          cluster,
        ),
        assets,
        address: flags.address,
        port,
        readOnly: flags.readOnly ?? false,
      });
      if (json) printJson({ apiVersion: 'berth.dev/v1', kind: 'Console', url: running.url });
      else printLine(`berth console: ${running.url}`);
      note(`context ${client.context}${flags.readOnly ? ', read-only' : ''}; Ctrl-C stops the console`);
      if (flags.open) openBrowser(running.url);
      await new Promise<void>((resolve) => {
        for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => resolve());
      });
      await running.close();
    });
}
