/**
 * The shell scripts the backup and restore Jobs run. Each script reads its connection and its
 * paths from environment variables (named in ENV), so the Job passes credentials by Secret
 * reference and the tests run the very same text against a real server.
 *
 * Every backup script writes one line per object to $BACKUP_RESULT (the container's termination
 * message in a Job): `name bytes sha256` for files, or `mc du --json` lines for buckets.
 */
import type { Store } from './stores.ts';
import type { Target } from './target.ts';

export const ENV = {
  /** Where the backup lives: a directory (or an `mc` path for buckets). */
  dir: 'BACKUP_DIR',
  /** Where the result lines go: /dev/termination-log in a Job. */
  result: 'BACKUP_RESULT',
  postgres: { host: 'PGHOST', port: 'PGPORT', user: 'PGUSER', password: 'PGPASSWORD' },
  clickhouse: {
    host: 'CLICKHOUSE_HOST',
    port: 'CLICKHOUSE_PORT',
    user: 'CLICKHOUSE_USER',
    password: 'CLICKHOUSE_PASSWORD',
    database: 'CLICKHOUSE_DATABASE',
  },
  /** redis-cli and valkey-cli read the password from the environment (never from the command line). */
  redis: {
    host: 'REDIS_HOST',
    port: 'REDIS_PORT',
    password: ['REDISCLI_AUTH', 'VALKEYCLI_AUTH'],
    data: 'REDIS_DATA',
  },
  /** `mc` aliases are configured by MC_HOST_<alias> (no config file). */
  minio: { source: 'MC_HOST_src', buckets: 'BUCKETS' },
  s3: {
    alias: 'MC_HOST_dst',
    path: 'S3_PATH',
    url: 'S3_URL',
    accessKey: 'S3_ACCESS_KEY',
    secretKey: 'S3_SECRET_KEY',
  },
} as const;

/** Lists the files given as arguments, with sizes and checksums, as result lines and SHA256SUMS. */
const RESULT_OF_FILES = [
  'sha256sum "$@" > SHA256SUMS',
  `for f in "$@"; do echo "$f $(wc -c < "$f" | tr -d ' ') $(sha256sum "$f" | cut -d' ' -f1)"; done > "$${ENV.result}"`,
];

const POSTGRES_DATABASES =
  "SELECT datname FROM pg_database WHERE datallowconn AND NOT datistemplate AND datname <> 'postgres' ORDER BY datname";

function postgresBackup(): string[] {
  return [
    `mkdir -p "$${ENV.dir}" && cd "$${ENV.dir}"`,
    `databases=$(psql -d postgres -X -A -t -v ON_ERROR_STOP=1 -c "${POSTGRES_DATABASES}")`,
    '[ -n "$databases" ] || { echo "no database to back up" >&2; exit 1; }',
    'set --',
    'for db in $databases; do pg_dump -Fc -d "$db" -f "$db.dump"; set -- "$@" "$db.dump"; done',
    ...RESULT_OF_FILES,
  ];
}

/** Each database is dropped (closing what still connects) and recreated from its dump, owner and all. */
function postgresRestore(): string[] {
  return [
    `cd "$${ENV.dir}"`,
    'sha256sum -c SHA256SUMS',
    'for f in *.dump; do',
    '  db=$(basename "$f" .dump)',
    `  psql -d postgres -X -v ON_ERROR_STOP=1 -c "DROP DATABASE IF EXISTS \\"$db\\" WITH (FORCE)"`,
    '  pg_restore --create --exit-on-error -d postgres "$f"',
    'done',
  ];
}

const CLICKHOUSE_CLIENT = `clickhouse-client --host "$${ENV.clickhouse.host}" --port "$${ENV.clickhouse.port}" --user "$${ENV.clickhouse.user}" --password "$${ENV.clickhouse.password}"`;
const CLICKHOUSE_TARGET = `S3('$${ENV.s3.url}/clickhouse', '$${ENV.s3.accessKey}', '$${ENV.s3.secretKey}')`;
const CLICKHOUSE_DB = `\\\`$${ENV.clickhouse.database}\\\``;

/**
 * The tables go first (views before the tables they read), so the restored database holds exactly
 * what the backup held. SYNC frees their disk before the restore writes (Atomic databases keep
 * dropped data for minutes otherwise); servers older than 20.x do not know it and drop at once.
 */
const CLICKHOUSE_DROP_TABLES = [
  `for t in $(${CLICKHOUSE_CLIENT} --query "SELECT name FROM system.tables WHERE database = '$${ENV.clickhouse.database}' ORDER BY engine LIKE '%View' DESC, name"); do`,
  `  drop="DROP TABLE IF EXISTS ${CLICKHOUSE_DB}.\\\`$t\\\`"`,
  `  ${CLICKHOUSE_CLIENT} --query "$drop SYNC" 2>/dev/null || ${CLICKHOUSE_CLIENT} --query "$drop"`,
  'done',
];

/** The ClickHouse server writes the backup itself, straight to S3 (BACKUP DATABASE ... TO S3). */
function clickhouseBackup(): string[] {
  return [
    `${CLICKHOUSE_CLIENT} --query "BACKUP DATABASE ${CLICKHOUSE_DB} TO ${CLICKHOUSE_TARGET}" --format TSV > /tmp/backup.tsv`,
    `echo "$${ENV.clickhouse.database} $(cut -f2 /tmp/backup.tsv) -" > "$${ENV.result}"`,
  ];
}

function clickhouseRestore(): string[] {
  return [
    ...CLICKHOUSE_DROP_TABLES,
    `${CLICKHOUSE_CLIENT} --query "RESTORE DATABASE ${CLICKHOUSE_DB} FROM ${CLICKHOUSE_TARGET}"`,
  ];
}

/**
 * To files (a claim), where the server cannot write: per table its CREATE statement and its rows
 * in the Native format, read through the client. tables.tsv lists them tables first, views last
 * (a view needs its tables); views and the inner tables of materialized views have no rows of
 * their own to keep.
 */
function clickhouseDump(): string[] {
  return [
    `mkdir -p "$${ENV.dir}" && cd "$${ENV.dir}"`,
    `${CLICKHOUSE_CLIENT} --format TSV --query "SELECT name, engine FROM system.tables WHERE database = '$${ENV.clickhouse.database}' AND name NOT LIKE '.inner%' ORDER BY engine LIKE '%View', name" > tables.tsv`,
    'set -- tables.tsv',
    "tab=$(printf '\\t')",
    'while IFS="$tab" read -r t engine; do',
    `  ${CLICKHOUSE_CLIENT} --format TSVRaw --query "SHOW CREATE TABLE ${CLICKHOUSE_DB}.\\\`$t\\\`" > "$t.sql"`,
    '  set -- "$@" "$t.sql"',
    '  case "$engine" in',
    '    *View | Dictionary) ;;',
    `    *) ${CLICKHOUSE_CLIENT} --query "SELECT * FROM ${CLICKHOUSE_DB}.\\\`$t\\\` FORMAT Native" > "$t.native"; set -- "$@" "$t.native" ;;`,
    '  esac',
    'done < tables.tsv',
    ...RESULT_OF_FILES,
  ];
}

/** Checks the files, drops the database's tables, and creates and fills each from its files. */
function clickhouseLoad(): string[] {
  return [
    `cd "$${ENV.dir}"`,
    'sha256sum -c SHA256SUMS',
    ...CLICKHOUSE_DROP_TABLES,
    "tab=$(printf '\\t')",
    'while IFS="$tab" read -r t engine; do',
    `  ${CLICKHOUSE_CLIENT} --query "$(cat "$t.sql")"`,
    `  if [ -f "$t.native" ]; then ${CLICKHOUSE_CLIENT} --query "INSERT INTO ${CLICKHOUSE_DB}.\\\`$t\\\` FORMAT Native" < "$t.native"; fi`,
    'done < tables.tsv',
  ];
}

function minioBackup(): string[] {
  return [
    `: > "$${ENV.result}"`,
    `for b in $${ENV.minio.buckets}; do`,
    `  mc mirror --overwrite --quiet "src/$b" "$${ENV.dir}/$b"`,
    `  mc du --json "src/$b" >> "$${ENV.result}"`,
    'done',
  ];
}

/** `--remove` deletes objects written after the backup, so each bucket is as it was. */
function minioRestore(): string[] {
  return [
    `for b in $${ENV.minio.buckets}; do`,
    '  mc mb --ignore-existing "src/$b"',
    `  mc mirror --overwrite --remove --quiet "$${ENV.dir}/$b" "src/$b"`,
    'done',
  ];
}

/** A copy of the server's dataset as the server itself writes it for a replica (`--rdb`). */
function redisBackup(): string[] {
  return [
    `mkdir -p "$${ENV.dir}" && cd "$${ENV.dir}"`,
    'cli=$(command -v valkey-cli || command -v redis-cli)',
    `"$cli" -h "$${ENV.redis.host}" -p "$${ENV.redis.port}" --rdb dump.rdb`,
    'set -- dump.rdb',
    ...RESULT_OF_FILES,
  ];
}

/**
 * Puts the copy into the server's data directory while the server is stopped. A server with
 * appendonly on loads its append-only files and ignores dump.rdb, so the copy also becomes the base
 * of a fresh append-only directory (the layout Redis 7 and Valkey write: a manifest naming an RDB
 * base file); with appendonly off, the server loads dump.rdb.
 */
function redisRestore(): string[] {
  const aof = `"$${ENV.redis.data}/appendonlydir`;
  return [
    `cd "$${ENV.dir}"`,
    'sha256sum -c SHA256SUMS',
    `rm -rf ${aof}.restoring" && mkdir ${aof}.restoring"`,
    `cp dump.rdb ${aof}.restoring/appendonly.aof.1.base.rdb"`,
    `printf 'file appendonly.aof.1.base.rdb seq 1 type b\\n' > ${aof}.restoring/appendonly.aof.manifest"`,
    `cp dump.rdb "$${ENV.redis.data}/dump.rdb"`,
    `rm -rf ${aof}" && mv ${aof}.restoring" ${aof}"`,
  ];
}

type Scripts = { backup(): string[]; restore(): string[] };

/** The scripts per store; ClickHouse writes to S3 itself, and through the client to files. */
const SCRIPTS: Record<Store['kind'], Scripts | Record<Target['kind'], Scripts>> = {
  postgresql: { backup: postgresBackup, restore: postgresRestore },
  clickhouse: {
    s3: { backup: clickhouseBackup, restore: clickhouseRestore },
    pvc: { backup: clickhouseDump, restore: clickhouseLoad },
  },
  minio: { backup: minioBackup, restore: minioRestore },
  redis: { backup: redisBackup, restore: redisRestore },
};

export type Operation = 'backup' | 'restore';

/** The script a store's Job runs for `operation` with a `target` of that kind (files by default; `sh -c`). */
export function storeScript(
  kind: Store['kind'],
  operation: Operation,
  target: Target['kind'] = 'pvc',
): string {
  const entry = SCRIPTS[kind];
  const scripts = 'backup' in entry ? entry : entry[target];
  return ['set -eu', ...scripts[operation]()].join('\n');
}

/** Copies a local backup directory to or from the S3 target (run with the `mc` client). */
export function transferScript(direction: 'upload' | 'download'): string {
  const [from, to] =
    direction === 'upload'
      ? [`"$${ENV.dir}"`, `"dst/$${ENV.s3.path}"`]
      : [`"dst/$${ENV.s3.path}"`, `"$${ENV.dir}"`];
  return ['set -eu', `mc mirror --overwrite --quiet ${from} ${to}`].join('\n');
}

export interface ObjectResult {
  readonly name: string;
  readonly bytes?: number;
  readonly sha256?: string;
  readonly objects?: number;
}

/** Reads the result lines a backup script wrote. */
export function parseResult(text: string): ObjectResult[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line): ObjectResult => {
      if (line.startsWith('{')) {
        const du = JSON.parse(line) as { prefix?: string; size?: number; objects?: number };
        return { name: du.prefix ?? '', bytes: du.size ?? 0, objects: du.objects ?? 0 };
      }
      const [name = '', bytes, sha256] = line.split(' ');
      return {
        name,
        ...(bytes && /^\d+$/.test(bytes) ? { bytes: Number(bytes) } : {}),
        ...(sha256 && sha256 !== '-' ? { sha256 } : {}),
      };
    });
}
