/** Option matrix of the CSGHub blueprint: named user values, as a user would write values.yaml. */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

const production = parse(readFileSync('examples/csghub/values-production.yaml', 'utf8')) as Record<
  string,
  unknown
>;

const externalPostgres = {
  enabled: true,
  host: 'pg.example.internal',
  existingSecret: 'csghub-pg',
};

export const variants: Record<string, unknown> = {
  defaults: {},
  production,
  minimal: parse(readFileSync('examples/csghub/values-minimal.yaml', 'utf8')),
  'external-postgresql': { integrations: { postgresql: externalPostgres } },
  'external-redis': {
    integrations: { redis: { enabled: true, host: 'redis.example.internal', existingSecret: 'r' } },
  },
  'external-s3': {
    integrations: { s3: { enabled: true, endpoint: 's3.example.com', existingSecret: 'csghub-s3' } },
  },
  'external-registry': {
    integrations: {
      registry: { enabled: true, host: 'harbor.example.com', existingSecret: 'csghub-harbor' },
    },
  },
  'external-temporal': { integrations: { temporal: { enabled: true, host: 'temporal.example.internal' } } },
  'tls-loadbalancer': { csghub: { entry: { type: 'LoadBalancer' } }, ingress: { tls: { enabled: true } } },
  'external-docker-daemon': { csghub: { builder: { dockerHost: 'tcp://docker.build.svc:2375' } } },
  'existing-space-namespace': {
    csghub: { runner: { namespace: 'apps', createNamespace: false, imagePullSecret: 'apps-pull' } },
  },
  'space-dns-fixed-ip': { csghub: { runner: { dnsServiceIP: '10.43.0.11' } } },
  logging: { csghub: { logging: { enabled: true, elasticsearch: { host: 'es.example.internal' } } } },
  'everything-external': {
    integrations: {
      postgresql: externalPostgres,
      redis: { enabled: true, host: 'redis.example.internal', existingSecret: 'r' },
      s3: { enabled: true, endpoint: 's3.example.com', existingSecret: 'csghub-s3' },
      registry: { enabled: true, host: 'harbor.example.com', existingSecret: 'csghub-harbor' },
      temporal: { enabled: true, host: 'temporal.example.internal', port: 7233 },
    },
  },
};
