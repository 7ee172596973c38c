/** psql helpers: the Jobs and init containers that work on the release's PostgreSQL. */
import type { ComponentSpec, ContainerSpec, ResourceSpec, Stage, VolumeSpec } from '../../render/model.ts';
import type { EnvVarValues } from '../../values/vocabulary/index.ts';
import { env, literalEnv } from '../shared/env.ts';
import type { CsghubBackends } from './backends.ts';
import type { Wiring } from './components.ts';

const WAIT_RESOURCES: ResourceSpec = { requests: { cpu: '10m', memory: '16Mi' }, limits: { memory: '64Mi' } };

/** libpq's environment for psql against the release's PostgreSQL. */
export function psqlEnv({ postgres }: CsghubBackends, database: string): EnvVarValues[] {
  return [
    ...literalEnv({ PGHOST: postgres.host, PGPORT: postgres.port, PGDATABASE: database }),
    env('PGUSER', postgres.username),
    env('PGPASSWORD', postgres.password),
  ];
}

/**
 * An init container that waits until the named databases exist (the `create-databases` Job of the
 * same stage makes them), so a pod of the migrations stage never races it.
 */
export function waitForDatabases({ values, backends }: Wiring, databases: readonly string[]): ContainerSpec {
  const list = databases.map((db) => `'${db}'`).join(', ');
  return {
    name: 'wait-for-databases',
    image: values.dependencies.postgresql.image,
    command: ['/bin/sh', '-c'],
    args: [
      `until [ "$(psql -tAc "SELECT count(*) FROM pg_database WHERE datname IN (${list})")" = "${databases.length}" ]; do echo waiting for databases ${databases.join(' ')}; sleep 3; done`,
    ],
    env: psqlEnv(backends, 'postgres'),
    resources: WAIT_RESOURCES,
  };
}

/** A Job running psql (the bundled PostgreSQL image) as postgres:alpine's `postgres` user. */
export function psqlJob(
  { values, backends }: Wiring,
  job: {
    readonly name: string;
    readonly stage: Stage;
    readonly database: string;
    readonly command: readonly string[];
    readonly volumes?: readonly VolumeSpec[];
    readonly rollOn?: ComponentSpec['rollOn'];
  },
): ComponentSpec {
  const pg = values.dependencies.postgresql;
  return {
    name: job.name,
    stage: job.stage,
    kind: 'Job',
    replicas: 1,
    backoffLimit: 6,
    containers: [
      {
        name: 'psql',
        image: pg.image,
        command: [...job.command],
        env: psqlEnv(backends, job.database),
        resources: WAIT_RESOURCES,
        volumeMounts: (job.volumes ?? []).map((v) => v.name),
      },
    ],
    ...(job.volumes ? { volumes: job.volumes } : {}),
    scheduling: pg,
    podSecurity: { runAsUser: 70, runAsGroup: 70 },
    ...(job.rollOn ? { rollOn: job.rollOn } : {}),
  };
}
