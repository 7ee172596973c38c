/** Named user values covering the model-router blueprint's choices, for the contract and wiring checks. */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

const example = (name: string): unknown =>
  parse(readFileSync(new URL(`../../examples/model-router/${name}`, import.meta.url), 'utf8'));

export const variants: Record<string, unknown> = {
  defaults: {},
  minimal: example('values-minimal.yaml'),
  production: example('values-production.yaml'),
  existingSecret: { router: { existingSecret: 'my-router', secretKeys: { apiKey: 'token' } } },
  everyServiceType: {
    router: {
      adapter: 'vllm',
      services: {
        chat: { instances: [{ name: 'qwen', baseUrl: 'http://vllm:8000', path: '/v1/chat/completions' }] },
        embedding: {
          adapter: 'ollama',
          instances: [{ name: 'bge', baseUrl: 'http://ollama:11434', path: '/api/embeddings' }],
        },
        rerank: { instances: [{ name: 'rr', baseUrl: 'http://xinf:9997', path: '/v1/rerank' }] },
        tts: { instances: [{ name: 'tts', baseUrl: 'http://tts:8000', path: '/v1/audio/speech' }] },
        stt: { instances: [{ name: 'stt', baseUrl: 'http://stt:8000', path: '/v1/audio/transcriptions' }] },
        imgGen: { instances: [{ name: 'sd', baseUrl: 'http://sd:7860', path: '/v1/images/generations' }] },
        imgEdit: { instances: [{ name: 'sd', baseUrl: 'http://sd:7860', path: '/v1/images/edits' }] },
      },
    },
  },
  persistentLogsSinglePod: {
    router: { persistence: { logs: { enabled: true }, config: { enabled: true } } },
  },
  sharedLogsReplicated: {
    router: { persistence: { logs: { enabled: true, accessModes: ['ReadWriteMany'] } } },
    services: { router: { replicas: 2 } },
  },
  userConfig: {
    router: { config: { jairouter: { tracing: { enabled: false } }, logging: { level: { root: 'INFO' } } } },
  },
  nodePort: { router: { nodePort: { enabled: true } } },
  autoscaled: {
    services: {
      router: {
        autoscaling: {
          enabled: true,
          customMetrics: [{ name: 'http_requests_per_second', averageValue: '100' }],
        },
      },
    },
  },
};
