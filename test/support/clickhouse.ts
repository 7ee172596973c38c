/**
 * A throwaway ClickHouse server from the Debian packages (scripts/test.sh installs
 * `clickhouse-server` and `clickhouse-client`): its own config in a temp dir, a user with a
 * password, the native port on 127.0.0.1, stopped and removed afterwards. Debian ships an old
 * server (18.16): the tests prove what the scripts do with the client, not the current image.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, serving } from './port.ts';

const run = promisify(execFile);

export interface ClickHouse {
  /** CLICKHOUSE_HOST, CLICKHOUSE_PORT, CLICKHOUSE_USER and CLICKHOUSE_PASSWORD, as the Jobs set them. */
  readonly env: NodeJS.ProcessEnv;
  /** Runs one query; returns its trimmed TSV output. */
  query(sql: string): Promise<string>;
  stop(): Promise<void>;
}

export async function startClickHouse(user: string): Promise<ClickHouse> {
  const root = mkdtempSync(join(tmpdir(), 'berth-ch-'));
  const port = await freePort();
  const password = randomBytes(12).toString('hex');
  // <yandex> is the root element old servers need; current ones still accept it.
  writeFileSync(
    join(root, 'config.xml'),
    `<yandex>
  <logger><level>warning</level><console>1</console></logger>
  <tcp_port>${port}</tcp_port>
  <listen_host>127.0.0.1</listen_host>
  <path>${root}/data/</path>
  <tmp_path>${root}/data/tmp/</tmp_path>
  <users_config>users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <mark_cache_size>5368709120</mark_cache_size>
</yandex>
`,
  );
  writeFileSync(
    join(root, 'users.xml'),
    `<yandex>
  <profiles><default/></profiles>
  <quotas><default/></quotas>
  <users>
    <${user}>
      <password>${password}</password>
      <networks><ip>127.0.0.1</ip></networks>
      <profile>default</profile>
      <quota>default</quota>
    </${user}>
  </users>
</yandex>
`,
  );
  const server: ChildProcess = spawn('clickhouse-server', [`--config-file=${join(root, 'config.xml')}`], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const env = {
    ...process.env,
    CLICKHOUSE_HOST: '127.0.0.1',
    CLICKHOUSE_PORT: String(port),
    CLICKHOUSE_USER: user,
    CLICKHOUSE_PASSWORD: password,
  };
  const query = async (sql: string) =>
    (
      await run('clickhouse-client', [
        '--port',
        String(port),
        '--user',
        user,
        '--password',
        password,
        '--query',
        sql,
      ])
    ).stdout.trim();
  const stop = await serving('clickhouse-server', server, async () => (await query('SELECT 1')) === '1');
  return {
    env,
    query,
    async stop() {
      await stop();
      rmSync(root, { recursive: true, force: true });
    },
  };
}
