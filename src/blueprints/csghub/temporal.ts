/**
 * Temporal, the workflow engine csghub-server (since v1.1) dials when `server`, `user` and `mirror
 * repo-sync` start: its workers and the server's cron schedules live there. Bundled as the chart
 * bundles it: the `auto-setup` image (every Temporal service in one process) over two databases of
 * the release's PostgreSQL; it sets up or upgrades their schema and the `default` namespace at start.
 */
import type { ComponentSpec } from '../../render/model.ts';
import { env, literalEnv } from '../shared/env.ts';
import { appComponent, type Wiring } from './components.ts';
import { waitForDatabases } from './database.ts';

/** The roles that run a Temporal worker or client (see the contract). */
export const TEMPORAL_CALLERS = ['server', 'user', 'mirror'] as const;

export function temporal(wiring: Wiring): ComponentSpec {
  const { values, backends } = wiring;
  const service = values.services.temporal;
  const { postgres } = backends;
  const { temporal: db, temporalVisibility: visibility } = postgres.databases;
  return appComponent('temporal', service, {
    stage: 'migrations',
    // auto-setup runs the schema tool and every service in one process; a second copy would race it.
    singleton: true,
    initContainers: [waitForDatabases(wiring, [db, visibility])],
    containers: [
      {
        name: 'temporal',
        image: service.image,
        env: [
          ...literalEnv({
            DB: 'postgres12',
            DB_PORT: postgres.port,
            POSTGRES_SEEDS: postgres.host,
            DBNAME: db,
            VISIBILITY_DBNAME: visibility,
            // The create-databases Job made both; the user may lack CREATEDB on an external server.
            SKIP_DB_CREATE: 'true',
            DEFAULT_NAMESPACE_RETENTION: '7d',
          }),
          env('POSTGRES_USER', postgres.username),
          env('POSTGRES_PWD', postgres.password),
          ...service.extraEnv,
        ],
        ports: [{ name: 'grpc', containerPort: 7233 }],
        probes: {
          readiness: { tcp: { port: 'grpc' }, periodSeconds: 5 },
          liveness: { tcp: { port: 'grpc' }, initialDelaySeconds: 60, periodSeconds: 10 },
        },
        resources: service.resources,
      },
    ],
    service: {},
    // The image's `temporal` user; it renders its config under /etc/temporal/config at start.
    podSecurity: { runAsUser: 1000, runAsGroup: 1000 },
    allowFrom: [...TEMPORAL_CALLERS],
  });
}
