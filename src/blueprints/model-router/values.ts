/** Values of the model-router blueprint (a JAiRouter gateway), after its Kubernetes guide. */
import { z } from 'zod';
import { platformValuesSchema } from '../../values/platform.ts';
import {
  persistenceSchema,
  serviceSchema,
  verticalAutoscalingSchema,
} from '../../values/vocabulary/index.ts';

/** The newest tagged JAiRouter release (Lincoln-cn/JAiRouter v2.8.3; images on Docker Hub sodlinken/jairouter). */
export const JAIROUTER_VERSION = '2.8.3';

export const SERVICE_TYPES = ['chat', 'embedding', 'rerank', 'tts', 'stt', 'imgGen', 'imgEdit'] as const;
const LOAD_BALANCE = z.enum(['round-robin', 'random', 'least-connections', 'ip-hash', 'consistent-hash']);
/** Request adapters JAiRouter ships (ModelRouterProperties.adapter; `normal` is OpenAI-compatible). */
const ADAPTER = z.enum(['normal', 'gpustack', 'ollama', 'vllm', 'xinference', 'localai']);

const instance = z.strictObject({
  name: z.string().min(1).describe('Model name the backend serves, e.g. llama3.2:3b.'),
  baseUrl: z.url().describe('Base URL of the backend (base-url), e.g. http://ollama-service:11434.'),
  path: z.string().startsWith('/').describe('Request path on the backend, e.g. /v1/chat/completions.'),
  weight: z.int().min(1).default(1).describe('Share of requests for weighted strategies.'),
});

const modelService = z.strictObject({
  loadBalance: LOAD_BALANCE.optional().describe(
    'Strategy for this type; unset uses router.loadBalance.type.',
  ),
  adapter: ADAPTER.optional().describe('Request adapter for this type; unset uses router.adapter.'),
  instances: z.array(instance).min(1).describe('Backend instances of this model type.'),
});

// The backends are model.services.<type> in application.yml. They live under router.services, not
// the top-level `services`, because `services.<component>` is berth's vocabulary for the workloads it runs.
export const modelRouterValues = platformValuesSchema({
  router: z
    .strictObject({
      existingSecret: z
        .string()
        .default('')
        .describe(
          'Existing Secret holding the API key (sent as X-API-Key); empty: berth generates one at install and keeps it.',
        ),
      secretKeys: z
        .strictObject({ apiKey: z.string().min(1).default('api-key').describe('Key of the API key.') })
        .prefault({})
        .describe('Keys of router.existingSecret.'),
      springProfile: z.string().default('prod').describe('SPRING_PROFILES_ACTIVE.'),
      javaOpts: z
        .string()
        .default('-Xms512m -Xmx1024m -XX:+UseG1GC -XX:+UseContainerSupport -XX:MaxRAMPercentage=75.0')
        .describe('JVM options (JAVA_OPTS).'),
      logLevel: z
        .enum(['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'])
        .default('INFO')
        .describe('Log level of org.unreal.modelrouter.'),
      adapter: ADAPTER.default('normal').describe(
        'Default request adapter of the backends (normal = OpenAI-compatible; also gpustack, ollama, vllm, xinference, localai).',
      ),
      loadBalance: z
        .strictObject({
          type: LOAD_BALANCE.default('round-robin').describe('Default load-balancing strategy.'),
          hashAlgorithm: z.string().default('md5').describe('Hash of the ip-hash strategy.'),
        })
        .prefault({}),
      rateLimit: z
        .strictObject({
          enabled: z.boolean().default(true).describe('Limit request rates.'),
          algorithm: z
            .enum(['token-bucket', 'leaky-bucket', 'sliding-window', 'warm-up'])
            .default('token-bucket')
            .describe('Rate-limit algorithm.'),
          capacity: z.int().min(1).default(1000).describe('Bucket capacity (burst).'),
          rate: z.int().min(1).default(100).describe('Requests per second refilled.'),
          scope: z
            .enum(['service', 'instance', 'global'])
            .default('service')
            .describe('What one limit covers.'),
        })
        .prefault({}),
      circuitBreaker: z
        .strictObject({
          enabled: z.boolean().default(true).describe('Stop calling failing backends for a while.'),
          failureThreshold: z.int().min(1).default(5).describe('Consecutive failures that open the circuit.'),
          timeout: z.int().min(1).default(60_000).describe('Milliseconds the circuit stays open.'),
          successThreshold: z.int().min(1).default(2).describe('Successes in half-open state that close it.'),
        })
        .prefault({}),
      services: z
        .partialRecord(z.enum(SERVICE_TYPES), modelService)
        .default({
          chat: {
            instances: [
              {
                name: 'llama3.2:3b',
                baseUrl: 'http://ollama-service:11434',
                path: '/v1/chat/completions',
                weight: 1,
              },
            ],
          },
        })
        .describe('Model backends per type (chat, embedding, rerank, tts, stt, imgGen, imgEdit).'),
      config: z
        .record(z.string(), z.unknown())
        .default({})
        .describe(
          'Extra application.yml settings (Spring keys, e.g. jairouter.tracing), merged over the ones berth renders: yours win; null removes a key.',
        ),
      persistence: z
        .strictObject({
          // Off by default: logs also go to stdout, and the config store only holds JWT file
          // persistence, which the image's defaults do not use (its state is the H2 database in
          // /app/data, one per pod). A ReadWriteOnce claim makes the router a single pod.
          config: persistenceSchema({ size: '1Gi' })
            .prefault({ enabled: false })
            .describe('Config store (/app/config-store); an emptyDir unless enabled.'),
          logs: persistenceSchema({ size: '10Gi' })
            .prefault({ enabled: false })
            .describe('Log files (/app/logs); an emptyDir unless enabled (logs also go to stdout).'),
        })
        .prefault({}),
      nodePort: z
        .strictObject({
          enabled: z
            .boolean()
            .default(false)
            .describe('Also create a NodePort Service (<release>-nodeport).'),
          port: z.int().min(30_000).max(32_767).default(30_080).describe('Node port.'),
        })
        .prefault({}),
      proxyTimeoutSeconds: z
        .int()
        .min(1)
        .default(300)
        .describe('Ingress (nginx) proxy read/send timeout; model responses can be slow.'),
      networkPolicy: z
        .strictObject({
          ingressNamespace: z
            .string()
            .default('ingress-nginx')
            .describe('Namespace of the ingress controller, the only one that may call the router.'),
          monitoringNamespace: z
            .string()
            .default('monitoring')
            .describe(
              'Namespace of Prometheus, allowed in to scrape /actuator/prometheus (the pods carry scrape annotations); empty: none.',
            ),
          backendCidrs: z
            .array(z.string())
            .default([])
            .describe('Where the model backends live; empty allows their ports to any address.'),
        })
        .prefault({})
        .describe('Rules used when networkPolicy.enabled.'),
    })
    .prefault({})
    .describe('JAiRouter settings, rendered into application.yml.'),
  services: z
    .strictObject({
      router: serviceSchema({
        replicas: 1,
        image: { repository: 'sodlinken/jairouter', tag: JAIROUTER_VERSION },
        resources: { requests: { cpu: '500m', memory: '512Mi' }, limits: { cpu: '1000m', memory: '1Gi' } },
        autoscaling: { minReplicas: 3, maxReplicas: 10, targetCPUUtilizationPercentage: 70 },
      })
        .unwrap()
        .extend({ verticalAutoscaling: verticalAutoscalingSchema().describe('Vertical pod autoscaling.') })
        .prefault({})
        .describe('The JAiRouter gateway (port 8080, Service port 80).'),
    })
    .prefault({}),
}).transform((values) => ({
  ...values,
  ingress: {
    ...values.ingress,
    // Typed timeouts become nginx annotations; annotations the user sets win.
    annotations: {
      'nginx.ingress.kubernetes.io/proxy-read-timeout': String(values.router.proxyTimeoutSeconds),
      'nginx.ingress.kubernetes.io/proxy-send-timeout': String(values.router.proxyTimeoutSeconds),
      ...values.ingress.annotations,
    },
  },
}));

export type ModelRouterValues = z.output<typeof modelRouterValues>;
