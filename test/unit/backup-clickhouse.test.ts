/**
 * ClickHouse to a claim: the dump and load scripts, exactly as the Jobs run them (storeScript with
 * a pvc target), against a real ClickHouse server from the Debian packages.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { ENV, parseResult, storeScript } from '../../src/backup/commands.ts';
import { type ClickHouse, startClickHouse } from '../support/clickhouse.ts';

const exec = promisify(execFile);

describe('ClickHouse dump and load scripts against a real server', () => {
  let ch: ClickHouse;
  let work: string;
  before(async () => {
    ch = await startClickHouse('langfuse');
    work = mkdtempSync(join(tmpdir(), 'berth-ch-backup-'));
  });
  after(async () => {
    await ch?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  const runScript = (script: string, dir: string, database: string) =>
    exec('sh', ['-c', script], {
      env: {
        ...ch.env,
        [ENV.dir]: dir,
        [ENV.result]: join(work, 'result'),
        [ENV.clickhouse.database]: database,
      },
    });

  test('dump, later writes and a migration, load: the tables, rows and views of the dump are back', async () => {
    await ch.query('CREATE DATABASE langfuse');
    await ch.query(
      'CREATE TABLE langfuse.traces (id UInt64, name String, tags Array(String)) ENGINE = MergeTree ORDER BY id',
    );
    await ch.query("INSERT INTO langfuse.traces VALUES (1, 'tab\\there', ['a']), (2, 'line\\nbreak', [])");
    await ch.query('CREATE TABLE langfuse.schema_migrations (version Int64) ENGINE = TinyLog');
    await ch.query('INSERT INTO langfuse.schema_migrations VALUES (7)');
    await ch.query('CREATE VIEW langfuse.named AS SELECT id, name FROM langfuse.traces');

    const dir = join(work, 'lf', 'b1', 'clickhouse');
    await runScript(storeScript('clickhouse', 'backup', 'pvc'), dir, 'langfuse');
    const results = parseResult(readFileSync(join(work, 'result'), 'utf8'));
    assert.deepEqual(
      results.map((r) => r.name),
      [
        'tables.tsv',
        'schema_migrations.sql',
        'schema_migrations.native',
        'traces.sql',
        'traces.native',
        'named.sql',
      ],
    );
    for (const result of results) {
      const file = join(dir, result.name);
      assert.equal(result.bytes, statSync(file).size);
      assert.equal(result.sha256, createHash('sha256').update(readFileSync(file)).digest('hex'));
    }

    // What an upgrade's migration and the new version's writes do after the backup.
    await ch.query("INSERT INTO langfuse.traces VALUES (3, 'after', [])");
    await ch.query('INSERT INTO langfuse.schema_migrations VALUES (8)');
    await ch.query('CREATE TABLE langfuse.new_table (x UInt8) ENGINE = TinyLog');

    await runScript(storeScript('clickhouse', 'restore', 'pvc'), dir, 'langfuse');
    assert.equal(
      await ch.query('SELECT id, name, tags FROM langfuse.traces ORDER BY id'),
      "1\ttab\\there\t['a']\n2\tline\\nbreak\t[]",
    );
    assert.equal(await ch.query('SELECT version FROM langfuse.schema_migrations'), '7');
    assert.equal(await ch.query('EXISTS TABLE langfuse.new_table'), '0');
    assert.equal(await ch.query('SELECT count() FROM langfuse.named'), '2');
  });

  test('a file that changed since the backup is refused before any table is dropped', async () => {
    await ch.query('CREATE DATABASE kept');
    await ch.query('CREATE TABLE kept.t (v String) ENGINE = TinyLog');
    await ch.query("INSERT INTO kept.t VALUES ('original')");
    const dir = join(work, 'lf', 'b2', 'clickhouse');
    await runScript(storeScript('clickhouse', 'backup', 'pvc'), dir, 'kept');
    await ch.query("INSERT INTO kept.t VALUES ('newer')");
    writeFileSync(join(dir, 't.native'), 'not native');
    await assert.rejects(
      runScript(storeScript('clickhouse', 'restore', 'pvc'), dir, 'kept'),
      /FAILED|did NOT match/,
    );
    assert.equal(await ch.query('SELECT count() FROM kept.t'), '2');
  });
});
