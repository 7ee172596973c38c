/** Values of the CSGHub blueprint: the shared vocabulary plus CSGHub's own settings (`csghub.*`). */
import { z } from 'zod';
import { platformValuesSchema } from '../../values/platform.ts';
import {
  dependencySchema,
  dnsSubdomain,
  externalServiceSchema,
  imageSchema,
  integrationFields,
  persistenceSchema,
  port,
  postgresIntegrationFields,
  redisIntegrationFields,
  requireExistingSecret,
  requireHost,
  serviceSchema,
} from '../../values/vocabulary/index.ts';
import { htpasswdImageSchema } from '../shared/registry.ts';

/** CSGHub release of the chart berth follows (csghub-installer helm chart 1.2.x). */
export const CSGHUB_VERSION = 'v1.2.0';

/** OpenCSG's public mirror, as the chart pulls every image from it. */
const OPENCSG = 'opencsg-registry.cn-beijing.cr.aliyuncs.com/opencsg_public';

const small = { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '512Mi' } } as const;
const medium = { requests: { cpu: '250m', memory: '256Mi' }, limits: { memory: '1Gi' } } as const;
const large = { requests: { cpu: '500m', memory: '512Mi' }, limits: { memory: '2Gi' } } as const;

const service = (repository: string, tag: string, resources: typeof small | typeof medium | typeof large) =>
  serviceSchema({ replicas: 1, image: { repository: `${OPENCSG}/${repository}`, tag }, resources });

const dependency = (repository: string, tag: string, size: string, resources: typeof small | typeof medium) =>
  dependencySchema({ image: { repository, tag }, resources, persistence: { size } });

const internalDomain = z.strictObject({
  domain: dnsSubdomain.describe(
    'Internal domain Knative Serving publishes services under (config-domain), e.g. app.internal.',
  ),
  host: z.string().min(1).describe('Host (or IP) of the Kourier gateway that serves that domain.'),
  port: port.describe('Port of the Kourier gateway (its NodePort for 80 when reached through a node IP).'),
});

export const csghubValues = platformValuesSchema({
  csghub: z
    .strictObject({
      domain: dnsSubdomain
        .default('example.com')
        .describe(
          "Base domain (the chart's global.domain): CSGHub is reached at csghub.<domain>, casdoor.<domain>, minio.<domain> and registry.<domain>. CSGHub is domain-only; IP addresses are not supported.",
        ),
      entry: z
        .strictObject({
          type: z
            .enum(['NodePort', 'LoadBalancer'])
            .default('NodePort')
            .describe(
              "How the entry is exposed (the chart's global.ingress.service.type). NodePort: public URLs carry the node ports; LoadBalancer: standard ports 80/443/22 (22 then collides with the node's sshd).",
            ),
          nodePorts: z
            .strictObject({
              http: port.default(30080).describe("NodePort of HTTP (the ingress controller's port 80)."),
              https: port.default(30443).describe("NodePort of HTTPS (the ingress controller's port 443)."),
              ssh: port.default(30022).describe('NodePort of Git over SSH (gitlab-shell, port 22).'),
            })
            .prefault({})
            .describe(
              "Node ports used in NodePort mode (the guide's fixed mapping 80/30080, 443/30443, 22/30022).",
            ),
        })
        .prefault({})
        .describe('Entry point of the platform.'),
      runner: z
        .strictObject({
          kubeconfigSecret: z
            .string()
            .min(1)
            .default('kube-configs')
            .describe(
              'Existing Secret holding the kubeconfig file(s) the runner deploys with (kubectl create secret generic kube-configs --from-file=$HOME/.kube/). Referenced by name, never embedded in values.',
            ),
          namespace: z
            .string()
            .min(1)
            .default('space')
            .describe(
              'Namespace of the target cluster where the runner deploys spaces and inference instances (csghub-server takes it from the first label of its internal root domain).',
            ),
          createNamespace: z
            .boolean()
            .default(true)
            .describe(
              'Render that namespace (when the runner deploys to this cluster). Off: it must exist already.',
            ),
          imagePullSecret: z
            .string()
            .default('')
            .describe(
              "kubernetes.io/dockerconfigjson Secret in that namespace with which space pods pull their images from the registry (csghub-server's STARHUB_SERVER_DOCKER_IMAGE_PULL_SECRET). Empty: <release>-space-pull, which berth renders from the bundled registry's login (when it also renders the namespace); with an external registry the notes say how to create it.",
            ),
          dnsServiceIP: z
            .union([z.literal(''), z.ipv4()])
            .default('')
            .describe(
              "Fixed cluster IP of the release's CoreDNS Service (the chart's coredns.csghub: kube-dns's IP with the last octet 11). Set: server, runner and proxy resolve every name through it (it answers the space domains and forwards the rest to the cluster DNS). Must be a free address inside the cluster's service range, e.g. `kubectl -n kube-system get service kube-dns -o jsonpath='{.spec.clusterIP}'` with the last octet changed. Empty: the cluster DNS must forward the space domains to the release's CoreDNS (the notes say how).",
            ),
          internalDomains: z
            .array(internalDomain)
            .min(1)
            .default([{ domain: 'app.internal', host: 'kourier.kourier-system.svc.cluster.local', port: 80 }])
            .describe(
              "Knative internal domains and the Kourier gateway that serves them (the chart's global.runner.internalDomain).",
            ),
        })
        .prefault({})
        .describe('Deployment runner (needs Knative Serving in the target cluster).'),
      casdoor: z
        .strictObject({
          jwtSecret: z
            .string()
            .default('')
            .describe(
              "Existing kubernetes.io/tls Secret whose tls.crt/tls.key sign Casdoor's JWTs (the server verifies them with tls.crt). Empty: <release>-casdoor-jwt.",
            ),
        })
        .prefault({})
        .describe('Casdoor single sign-on.'),
      builder: z
        .strictObject({
          persistence: persistenceSchema({ size: '50Gi' }).describe(
            'Work volume of the builder (/opt/data).',
          ),
          dockerHost: z
            .string()
            .default('')
            .describe(
              'Docker daemon the space builder uses, e.g. tcp://docker.build.svc:2375. Empty: a rootless Docker-in-Docker sidecar (needs a privileged exception berth does not grant).',
            ),
        })
        .prefault({})
        .describe('Space image builder.'),
      gitlabShell: z
        .strictObject({
          persistence: persistenceSchema({ size: '1Gi' }).describe('Volume holding the SSH host keys.'),
        })
        .prefault({})
        .describe('Git over SSH.'),
      logging: z
        .strictObject({
          enabled: z
            .boolean()
            .default(false)
            .describe(
              "Run the log collector (the chart's fluentd: a Fluent Bit DaemonSet reading node logs through hostPath) and ship CSGHub's logs to Elasticsearch.",
            ),
          elasticsearch: z
            .strictObject({
              host: z
                .string()
                .default('')
                .describe("Elasticsearch host (the chart's global.fluent.elasticsearch.host)."),
              port: port.default(9200).describe('Elasticsearch port.'),
              index: z.string().min(1).default('csghub').describe('Index prefix (Logstash format).'),
            })
            .prefault({}),
        })
        .prefault({})
        .superRefine((value, ctx) => {
          if (value.enabled && value.elasticsearch.host === '')
            ctx.addIssue({
              code: 'custom',
              path: ['elasticsearch', 'host'],
              message: 'required when logging.enabled is true',
            });
        })
        .describe('Log collection.'),
    })
    .prefault({})
    .describe(
      "CSGHub settings. (The chart's global.domain lives here as csghub.domain: global.* is the vocabulary every blueprint shares.)",
    ),
  services: z
    .strictObject({
      server: service('csghub_server', CSGHUB_VERSION, large).describe(
        'csghub_server: the main API (port 8080). One replica only: each server process meters and schedules every deploy (no leader election).',
      ),
      portal: service('csghub_portal', 'v1.2.1', medium).describe(
        'csghub_portal: the web UI (port 8090); runs its own migrations.',
      ),
      user: service('csghub_server', CSGHUB_VERSION, medium).describe(
        'csghub_user: users and authentication (port 8080).',
      ),
      // Images of helper containers are values too, so they can be mirrored and pinned.
      proxy: service('csghub_server', CSGHUB_VERSION, medium)
        .unwrap()
        .extend({
          nginxImage: imageSchema({
            repository: 'nginxinc/nginx-unprivileged',
            tag: '1.27.3-alpine',
          }).describe('Image of the nginx sidecar that forwards space hosts to Kourier (runs as uid 101).'),
        })
        .prefault({})
        .describe(
          'csghub_proxy: reverse proxy to deployed spaces (port 8083) with an nginx sidecar towards Kourier.',
        ),
      accounting: service('csghub_server', CSGHUB_VERSION, small).describe(
        'csghub_accounting: metering and billing (port 8086).',
      ),
      mirror: service('csghub_server', CSGHUB_VERSION, medium).describe(
        'csghub_mirror: repository and LFS sync workers.',
      ),
      runner: service('csghub_server', CSGHUB_VERSION, medium).describe(
        'csghub_runner: deploys instances to Kubernetes (port 8082).',
      ),
      builder: service('csghub_space_builder', 'v1.0.0', large)
        .unwrap()
        .extend({
          dockerImage: imageSchema({ repository: 'docker', tag: '27.1.2-dind-rootless' }).describe(
            'Image of the rootless Docker-in-Docker sidecar the builder builds with (unless csghub.builder.dockerHost names a daemon).',
          ),
        })
        .prefault({})
        .describe('csghub_builder: builds space images and pushes them to the registry (port 8080).'),
      gitlabShell: service('gitlab-shell', 'v16.4.6', small).describe(
        'gitlab-shell: Git over SSH (port 22).',
      ),
      casdoor: service('casbin/casdoor', 'v1.733.0', medium).describe('Casdoor: single sign-on (port 8000).'),
      temporal: service('temporalio/auto-setup', '1.25.1', medium).describe(
        "Temporal (the chart's auto-setup image, all services in one process): the workflow engine server, user and mirror dial at start (port 7233). Replaced by integrations.temporal.",
      ),
      coredns: service('coredns/coredns', '1.11.1', small).describe(
        'CoreDNS: resolves the Knative internal domains to the proxy.',
      ),
      fluentd: service('fluent/fluent-bit', '3.1.4', small).describe(
        'Log collector (only with csghub.logging.enabled).',
      ),
    })
    .prefault({})
    .describe('CSGHub components.'),
  dependencies: z
    .strictObject({
      postgresql: dependency('postgres', '15.7-alpine', '50Gi', medium).describe(
        'Bundled PostgreSQL for server, portal and casdoor (used unless integrations.postgresql.enabled).',
      ),
      redis: dependency('valkey/valkey', '8.1.3-alpine', '10Gi', small).describe(
        'Bundled Redis-compatible cache for builder and mirror (Valkey; used unless integrations.redis.enabled).',
      ),
      minio: dependency(`${OPENCSG}/minio/minio`, 'RELEASE.2024-07-15T19-02-30Z', '200Gi', medium).describe(
        'Bundled object storage (used unless integrations.s3.enabled).',
      ),
      registry: dependency(`${OPENCSG}/registry`, '2.8.3', '200Gi', small)
        .unwrap()
        .extend({ htpasswdImage: htpasswdImageSchema })
        .prefault({})
        .describe(
          'Bundled container registry for space images (used unless integrations.registry.enabled). Not for production.',
        ),
      nats: dependency(`${OPENCSG}/csghub_nats`, '2.10.16', '10Gi', small).describe(
        'NATS JetStream message bus.',
      ),
      gitaly: dependency(`${OPENCSG}/gitaly`, 'v16.4.6', '200Gi', medium).describe('Gitaly: Git storage.'),
    })
    .prefault({})
    .describe('Bundled dependencies and data volumes.'),
  integrations: z
    .strictObject({
      postgresql: externalServiceSchema({
        ...postgresIntegrationFields(),
        databases: z
          .strictObject({
            server: z
              .string()
              .min(1)
              .default('csghub_server')
              .describe('Database of server, user, accounting, runner, mirror.'),
            portal: z.string().min(1).default('csghub_portal').describe('Database of the portal.'),
            casdoor: z.string().min(1).default('casdoor').describe('Database of Casdoor.'),
            temporal: z.string().min(1).default('temporal').describe('Database of Temporal.'),
            temporalVisibility: z
              .string()
              .min(1)
              .default('temporal_visibility')
              .describe("Temporal's visibility database."),
          })
          .prefault({})
          .describe('Database names; created by the migration Job when missing (the user needs CREATEDB).'),
      }),
      redis: externalServiceSchema(redisIntegrationFields()),
      s3: z
        .strictObject({
          ...integrationFields('Use external S3-compatible storage instead of the bundled MinIO.', {
            accessKey: 'accessKey',
            secretKey: 'secretKey',
          }),
          endpoint: z
            .string()
            .default('')
            .describe(
              'Public S3 endpoint (host[:port], no scheme), used for download links, e.g. s3.example.com.',
            ),
          region: z.string().default('cn-north-1').describe('Region.'),
          ssl: z.boolean().default(true).describe('Use HTTPS towards the endpoint.'),
          buckets: z
            .strictObject({
              server: z.string().min(1).default('csghub-server').describe('Bucket of the server.'),
              portal: z.string().min(1).default('csghub-portal').describe('Bucket of the portal.'),
              git: z.string().min(1).default('csghub-git').describe('Bucket of Git LFS objects.'),
            })
            .prefault({}),
        })
        .prefault({})
        .superRefine(requireExistingSecret)
        .superRefine((value, ctx) => {
          if (value.enabled && value.endpoint === '')
            ctx.addIssue({ code: 'custom', path: ['endpoint'], message: 'required when enabled is true' });
        }),
      registry: z
        .strictObject({
          ...integrationFields(
            'Use an external container registry (e.g. Harbor) instead of the bundled one.',
            {
              username: 'username',
              password: 'password',
            },
          ),
          host: z.string().default('').describe('Registry address, e.g. harbor.example.com.'),
          namespace: z
            .string()
            .min(1)
            .default('csghub')
            .describe('Project/namespace space images are pushed to.'),
        })
        .prefault({})
        .superRefine(requireExistingSecret)
        .superRefine(requireHost),
      temporal: z
        .strictObject({
          enabled: z
            .boolean()
            .default(false)
            .describe('Use an existing Temporal frontend instead of the bundled one.'),
          host: z.string().default('').describe('Host of the Temporal frontend (gRPC).'),
          port: port.default(7233).describe('Port of the Temporal frontend.'),
        })
        .prefault({})
        .superRefine(requireHost)
        .describe(
          "Temporal, whose namespace `default` must exist (csghub-server's workers use it without authentication).",
        ),
    })
    .prefault({})
    .describe('External services that replace the bundled dependencies.'),
});

export type CsghubValues = z.output<typeof csghubValues>;
