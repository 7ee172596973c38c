/**
 * The Redis RDB copy and its restore, exactly as the Jobs run them (storeScript), against a real
 * redis-server from the Debian packages with append-only persistence, as the bundled server runs.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { ENV, parseResult, storeScript } from '../../src/backup/commands.ts';
import { type Redis, startRedis } from '../support/redis.ts';

const exec = promisify(execFile);

describe('Redis RDB copy and restore against a real server', () => {
  let work: string;
  const servers: Redis[] = [];
  before(() => {
    work = mkdtempSync(join(tmpdir(), 'berth-redis-'));
  });
  after(async () => {
    for (const server of servers) await server.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  const start = async (data: string, password?: string) => {
    const server = await startRedis(data, password);
    servers.push(server);
    return server;
  };
  const runScript = (script: string, env: NodeJS.ProcessEnv, dir: string, data = '') =>
    exec('sh', ['-c', script], {
      env: { ...env, [ENV.dir]: dir, [ENV.result]: join(work, 'result'), [ENV.redis.data]: data },
    });

  test('copy, later writes, restore into the stopped server: the data of the copy is back, append-only on', async () => {
    const data = join(work, 'data');
    mkdirSync(data);
    const redis = await start(data);
    await redis.cli('SET', 'session:1', 'kept');
    await redis.cli('RPUSH', 'queue', 'a', 'b');
    await redis.cli('HSET', 'h', 'f', 'v');

    const dir = join(work, 'lf', 'b1', 'redis');
    await runScript(storeScript('redis', 'backup'), redis.env, dir);
    const [result] = parseResult(readFileSync(join(work, 'result'), 'utf8'));
    const file = join(dir, 'dump.rdb');
    assert.equal(result?.name, 'dump.rdb');
    assert.equal(result?.bytes, statSync(file).size);
    assert.equal(result?.sha256, createHash('sha256').update(readFileSync(file)).digest('hex'));

    await redis.cli('SET', 'session:2', 'after the copy');
    await redis.cli('DEL', 'session:1');
    const password = redis.env.REDISCLI_AUTH;
    await redis.stop();
    await runScript(storeScript('redis', 'restore'), redis.env, dir, data);

    const restored = await start(data, password);
    assert.equal(await restored.cli('GET', 'session:1'), 'kept');
    assert.equal(await restored.cli('EXISTS', 'session:2'), '0');
    assert.equal(await restored.cli('LRANGE', 'queue', '0', '-1'), 'a\nb');
    assert.equal(await restored.cli('HGET', 'h', 'f'), 'v');
    // Written after the restore and kept across a restart: the append-only files carry on from the copy.
    await restored.cli('SET', 'new', 'x');
    await restored.stop();
    const again = await start(data, password);
    assert.deepEqual((await again.cli('MGET', 'session:1', 'new')).split('\n'), ['kept', 'x']);
    assert.match(await again.cli('CONFIG', 'GET', 'appendonly'), /appendonly\nyes/);
    await again.stop();
  });

  test('a copy that changed since the backup is refused before the data directory is touched', async () => {
    const data = join(work, 'data2');
    mkdirSync(data);
    const redis = await start(data);
    await redis.cli('SET', 'k', 'v');
    const dir = join(work, 'lf', 'b2', 'redis');
    await runScript(storeScript('redis', 'backup'), redis.env, dir);
    await redis.stop();
    writeFileSync(join(dir, 'dump.rdb'), 'not an rdb');
    await assert.rejects(
      runScript(storeScript('redis', 'restore'), redis.env, dir, data),
      /FAILED|did NOT match/,
    );
    const same = await start(data, redis.env.REDISCLI_AUTH);
    assert.equal(await same.cli('GET', 'k'), 'v');
    await same.stop();
  });
});
