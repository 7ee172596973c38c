/**
 * The PostgreSQL backup and restore scripts, exactly as the Jobs run them (storeScript), against a
 * real PostgreSQL server from the Debian packages: a restore brings the data back, and undoes what
 * an upgrade's migration did after the backup.
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
import { type Postgres, startPostgres } from '../support/postgres.ts';

const exec = promisify(execFile);

describe('PostgreSQL backup and restore scripts against a real server', () => {
  let pg: Postgres;
  let work: string;
  before(async () => {
    pg = await startPostgres('langfuse');
    work = mkdtempSync(join(tmpdir(), 'berth-backup-'));
  });
  after(async () => {
    await pg?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  const psql = async (db: string, sql: string) =>
    (
      await exec('psql', ['-X', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-d', db, '-c', sql], { env: pg.env })
    ).stdout.trim();

  const runScript = (script: string, dir: string) =>
    exec('sh', ['-c', script], {
      env: { ...pg.env, [ENV.dir]: dir, [ENV.result]: join(work, 'result') },
    });

  test('backup, a migration, then restore: the pre-upgrade data and schema are back', async () => {
    await psql('postgres', 'CREATE DATABASE langfuse');
    await psql('postgres', 'CREATE DATABASE "second-db"');
    await psql(
      'langfuse',
      "CREATE TABLE traces (id int PRIMARY KEY, name text); INSERT INTO traces VALUES (1, 'first'), (2, 'second')",
    );
    await psql('second-db', "CREATE TABLE notes (body text); INSERT INTO notes VALUES ('kept')");

    const dir = join(work, 'lf', 'b1', 'postgresql');
    await runScript(storeScript('postgresql', 'backup'), dir);
    const results = parseResult(readFileSync(join(work, 'result'), 'utf8'));
    assert.deepEqual(
      results.map((r) => r.name),
      ['langfuse.dump', 'second-db.dump'],
    );
    for (const result of results) {
      const file = join(dir, result.name);
      assert.equal(result.bytes, statSync(file).size);
      assert.equal(result.sha256, createHash('sha256').update(readFileSync(file)).digest('hex'));
    }

    // What an upgrade's migration and the new version's writes do after the backup.
    await psql(
      'langfuse',
      "ALTER TABLE traces ADD COLUMN project text; INSERT INTO traces VALUES (3, 'after', 'p'); DELETE FROM traces WHERE id = 1; CREATE TABLE new_table (x int)",
    );
    await psql('second-db', 'DELETE FROM notes');

    await runScript(storeScript('postgresql', 'restore'), dir);
    assert.equal(await psql('langfuse', 'SELECT id, name FROM traces ORDER BY id'), '1|first\n2|second');
    assert.equal(
      await psql(
        'langfuse',
        "SELECT count(*) FROM information_schema.columns WHERE table_name = 'traces' AND column_name = 'project'",
      ),
      '0',
    );
    assert.equal(await psql('langfuse', "SELECT to_regclass('new_table') IS NULL"), 't');
    assert.equal(await psql('second-db', 'SELECT body FROM notes'), 'kept');
    assert.equal(
      await psql('langfuse', "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = 'langfuse'"),
      'langfuse',
    );
  });

  test('a dump that changed since the backup is refused before anything is dropped', async () => {
    await psql('postgres', 'CREATE DATABASE tampered');
    await psql('tampered', "CREATE TABLE t (v text); INSERT INTO t VALUES ('original')");
    const dir = join(work, 'lf', 'b2', 'postgresql');
    await runScript(storeScript('postgresql', 'backup'), dir);
    await psql('tampered', "INSERT INTO t VALUES ('newer')");
    writeFileSync(join(dir, 'tampered.dump'), 'not a dump');
    await assert.rejects(runScript(storeScript('postgresql', 'restore'), dir), /FAILED|did NOT match/);
    assert.equal(await psql('tampered', 'SELECT count(*) FROM t'), '2');
  });
});
