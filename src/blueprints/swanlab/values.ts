/**
 * Values of the SwanLab blueprint, after the self-hosted Helm chart (SwanHubX/charts,
 * charts/self-hosted/values.yaml) in berth's shared vocabulary.
 */
import { z } from 'zod';
import { platformValuesSchema } from '../../values/platform.ts';
import {
  clickhouseIntegrationFields,
  dependencySchema,
  endpointFields,
  globalSchema,
  imageSchema,
  integrationFields,
  persistenceSchema,
  port,
  requireExistingSecret,
  requireHost,
  resourcesSchema,
  type ServiceDefaults,
  serviceSchema,
} from '../../values/vocabulary/index.ts';

/** appVersion of the self-hosted chart 0.3.0; the application images are tagged v<appVersion>. */
export const SWANLAB_VERSION = '2.7.0';
const APP_TAG = `v${SWANLAB_VERSION}`;

/** The chart pulls every image from SwanLab's registry; global.imageRegistry rewrites them to a mirror. */
export const SWANLAB_REGISTRY = 'repo.swanlab.cn';

/** An image on SwanLab's registry. */
const swanlabImage = (repository: string, tag: string) => ({ registry: SWANLAB_REGISTRY, repository, tag });

const swanlabGlobal = globalSchema
  .unwrap()
  .extend({
    settings: z
      .strictObject({
        loginHost: z
          .string()
          .default('')
          .describe(
            'Host shown for `swanlab login` on the quick-start page (API_DISPLAY_HOST); empty uses the host the browser visits. Does not change where the backend listens.',
          ),
      })
      .prefault({})
      .describe('Application settings.'),
  })
  .prefault({});

const appResources = { requests: { cpu: '250m', memory: '512Mi' }, limits: { memory: '2Gi' } };

function appService(defaults: Omit<ServiceDefaults, 'resources'> & Partial<ServiceDefaults>) {
  return serviceSchema({ resources: appResources, ...defaults });
}

const sidecarResources = resourcesSchema({
  requests: { cpu: '20m', memory: '32Mi' },
  limits: { memory: '256Mi' },
});

const bucketFields = (withDomain: boolean) => ({
  ssl: z.boolean().default(true).describe('Reach the object store over HTTPS.'),
  endpoint: z.string().default('').describe('Host name of the S3 endpoint, without scheme, e.g. xxx.s3.com.'),
  region: z.string().default('').describe('Region, e.g. cn-beijing.'),
  pathStyle: z.boolean().default(true).describe('Path-style addressing (bucket in the path, not the host).'),
  port: port.default(443).describe('Port of the endpoint.'),
  ...(withDomain
    ? {
        domain: z
          .string()
          .default('')
          .describe(
            'Public URL browsers load public objects (avatars, media) from, e.g. https://xxx.s3.com.',
          ),
      }
    : {}),
  bucket: z.string().default('').describe('Bucket name.'),
});

function requireBucket(prefix: 'public' | 'private') {
  return (value: { enabled: boolean } & Record<string, unknown>, ctx: z.RefinementCtx): void => {
    if (!value.enabled) return;
    const bucket = value[prefix] as Record<string, unknown>;
    const required =
      prefix === 'public' ? ['endpoint', 'region', 'bucket', 'domain'] : ['endpoint', 'region', 'bucket'];
    for (const key of required) {
      if (bucket[key] === '') {
        ctx.addIssue({ code: 'custom', path: [prefix, key], message: 'required when enabled is true' });
      }
    }
  };
}

export const swanlabValues = platformValuesSchema({
  global: swanlabGlobal.describe('Settings for every component and dependency.'),
  swanlab: z
    .strictObject({
      helperImage: imageSchema(swanlabImage('public/busybox', '1.37.0')).describe(
        "Helper image (busybox) whose init containers wait for the databases (the chart's `helper`).",
      ),
    })
    .prefault({})
    .describe('SwanLab-wide settings.'),
  services: z
    .strictObject({
      server: appService({
        replicas: 1,
        image: swanlabImage('self-hosted/swanlab-server', APP_TAG),
      }).describe('SwanLab-Server, the core backend (port 3000); runs the Postgres migrations at start.'),
      house: appService({
        replicas: 1,
        image: swanlabImage('self-hosted/swanlab-house', APP_TAG),
      })
        .unwrap()
        .extend({
          logImage: imageSchema(swanlabImage('self-hosted/logrotate', '1.0')).describe(
            'Log rotation sidecar image.',
          ),
          fbImage: imageSchema(swanlabImage('self-hosted/fluent-bit', '3.2')).describe(
            'Fluent Bit sidecar image that ships metrics logs to ClickHouse.',
          ),
          logResources: sidecarResources.describe('Resources of the log rotation sidecar.'),
          fbResources: sidecarResources.describe('Resources of the Fluent Bit sidecar.'),
          persistence: persistenceSchema({ size: '10Gi', allowExistingClaim: false }).describe(
            'Per-replica volume for intermediate metrics files (a StatefulSet claim template, so no existingClaim).',
          ),
        })
        .prefault({})
        .describe('SwanLab-House, metrics computation (port 3000); a StatefulSet with its own volume.'),
      cloud: appService({
        replicas: 1,
        image: swanlabImage('self-hosted/swanlab-cloud', APP_TAG),
        resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '256Mi' } },
      }).describe('SwanLab-Cloud, a web frontend (static files on port 80).'),
      next: appService({
        replicas: 1,
        image: swanlabImage('self-hosted/swanlab-next', APP_TAG),
      }).describe('SwanLab-Next, the web frontend (port 3000).'),
      gateway: appService({
        replicas: 1,
        image: swanlabImage('public/traefik', '3.6'),
        resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '512Mi' } },
      })
        .unwrap()
        .extend({
          identifyImage: imageSchema(swanlabImage('public/swanlab-helper/identify', 'v1.2')).describe(
            'Image of the identify helper, copied into the gateway as a Traefik plugin by an init container.',
          ),
        })
        .prefault({})
        .describe('Traefik-based gateway, the entry of the whole application (Service <release>, port 80).'),
    })
    .prefault({})
    .describe('SwanLab application services.'),
  dependencies: z
    .strictObject({
      postgres: dependencySchema({
        image: swanlabImage('self-hosted/postgres', '16.1'),
        resources: { requests: { cpu: '250m', memory: '512Mi' }, limits: { memory: '2Gi' } },
        persistence: { size: '10Gi' },
      }).describe('Bundled PostgreSQL (used unless integrations.postgres.enabled).'),
      redis: dependencySchema({
        image: swanlabImage('self-hosted/redis-stack', '7.4.0-v8'),
        resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '1Gi' } },
        persistence: { size: '10Gi' },
      }).describe('Bundled Redis Stack (used unless integrations.redis.enabled).'),
      clickhouse: dependencySchema({
        image: swanlabImage('self-hosted/clickhouse-server', '24.3'),
        resources: { requests: { cpu: '500m', memory: '1Gi' }, limits: { memory: '4Gi' } },
        persistence: { size: '20Gi' },
      }).describe('Bundled ClickHouse (used unless integrations.clickhouse.enabled).'),
      s3: dependencySchema({
        image: swanlabImage('self-hosted/minio/minio', 'RELEASE.2025-09-07T16-13-09Z'),
        resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '1Gi' } },
        persistence: { size: '20Gi' },
      }).describe('Bundled MinIO object store (used unless integrations.s3.enabled).'),
    })
    .prefault({})
    .describe('Bundled single-instance base services.'),
  integrations: z
    .strictObject({
      postgres: z
        .strictObject({
          ...integrationFields('Use an external PostgreSQL (e.g. CloudNativePG or a managed service).', {
            username: 'username',
            password: 'password',
            primaryUrl: 'primaryUrl',
            replicaUrl: 'replicaUrl',
          }),
          ...endpointFields(5432),
          database: z
            .string()
            .min(1)
            .default('app')
            .describe('Database name (must match the URLs in the Secret).'),
        })
        .prefault({})
        .superRefine(requireExistingSecret)
        .superRefine(requireHost),
      redis: z
        .strictObject({
          ...integrationFields('Use an external Redis.', { url: 'url' }),
          ...endpointFields(6379),
          database: z
            .union([z.int().min(0), z.string().regex(/^\d+$/)])
            .default(0)
            .describe('Database number (must match the url in the Secret).'),
        })
        .prefault({})
        .superRefine(requireExistingSecret)
        .superRefine(requireHost),
      clickhouse: z
        .strictObject({
          // Fluent Bit writes through the HTTP port, SwanLab-House queries through the native one.
          ...clickhouseIntegrationFields('app'),
        })
        .prefault({})
        .superRefine(requireExistingSecret)
        .superRefine(requireHost),
      s3: z
        .strictObject({
          ...integrationFields('Use external S3-compatible storage instead of the bundled MinIO.', {
            accessKey: 'accessKey',
            secretKey: 'secretKey',
          }),
          public: z
            .strictObject(bucketFields(true))
            .prefault({})
            .describe('Public bucket: anonymous read, signed write.'),
          private: z
            .strictObject(bucketFields(false))
            .prefault({})
            .describe('Private bucket: signed read and write.'),
        })
        .prefault({})
        .superRefine(requireExistingSecret)
        .superRefine(requireBucket('public'))
        .superRefine(requireBucket('private')),
    })
    .prefault({})
    .describe('External base services that replace the bundled ones.'),
});

export type SwanLabValues = z.output<typeof swanlabValues>;
