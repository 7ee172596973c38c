/**
 * The server database's schema and seed data. csghub-server migrates its schema with
 * `starhub migration init` / `migrate` (its init.sh does it before `start server`); the seed data
 * (root as administrator, space hardware tiers, inference/fine-tune runtimes) is not part of the
 * server: the chart loads it with psql after the server is up. berth migrates in the migrations
 * stage and seeds once the runner has registered its cluster, idempotently on every apply.
 */
import { objectName } from '../../render/context.ts';
import type { ComponentSpec, ConfigMapSpec } from '../../render/model.ts';
import { appComponent, serverSecretEnv, type Wiring } from './components.ts';
import { psqlJob, waitForDatabases } from './database.ts';

const JOB_RESOURCES = { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '256Mi' } };

/** Migrates the server schema with the server image before any csghub_server role starts. */
export function migrateJob(wiring: Wiring): ComponentSpec {
  const { values, ctx, backends } = wiring;
  const service = values.services.server;
  const bin = '/starhub-bin/starhub';
  return {
    ...appComponent('migrate', service, {
      stage: 'migrations',
      initContainers: [waitForDatabases(wiring, [backends.postgres.databases.server])],
      containers: [
        {
          name: 'migrate',
          image: service.image,
          command: ['/bin/sh', '-c', `${bin} migration init && ${bin} migration migrate`],
          envFrom: [{ configMap: objectName(ctx, 'server') }],
          env: serverSecretEnv(wiring),
          resources: JOB_RESOURCES,
        },
      ],
    }),
    kind: 'Job',
    replicas: 1,
    backoffLimit: 6,
    // The server's autoscaler and disruption budget do not apply to a Job.
    scaling: {},
  };
}

/** Hardware tiers offered for spaces: name, CPU count, memory, optional GPU. */
const SPACE_RESOURCES: readonly { name: string; cpu: string; memory: string; gpu?: string }[] = [
  { name: 'CPU basic · 0.5 vCPU · 1 GB', cpu: '0.5', memory: '1Gi' },
  { name: 'CPU basic · 2 vCPU · 4 GB', cpu: '2', memory: '4Gi' },
  { name: 'CPU upgrade · 4 vCPU · 16 GB', cpu: '4', memory: '16Gi' },
  { name: 'NVIDIA GPU · 1 · 8 vCPU · 32 GB', cpu: '8', memory: '32Gi', gpu: '1' },
];

/**
 * Runtimes (csghub-server's runtime_frameworks; type 1 inference, 2 fine-tuning, 4 evaluation) with
 * images relative to the registry base the runner pulls from, and the model architectures each serves.
 */
const RUNTIMES: readonly {
  name: string;
  version: string;
  image: string;
  cpuImage: string;
  type: number;
  port: number;
  architectures: readonly string[];
}[] = [
  {
    name: 'VLLM',
    version: '3.1',
    image: 'vllm-local:3.1',
    cpuImage: 'vllm-cpu:2.4',
    type: 1,
    port: 8000,
    architectures: [
      'LlamaForCausalLM',
      'MistralForCausalLM',
      'Qwen2ForCausalLM',
      'QWenLMHeadModel',
      'ChatGLMModel',
      'BaiChuanForCausalLM',
      'GemmaForCausalLM',
      'Phi3ForCausalLM',
    ],
  },
  {
    name: 'TGI',
    version: '3.0',
    image: 'tgi:3.0',
    cpuImage: '',
    type: 1,
    port: 8000,
    architectures: ['LlamaForCausalLM', 'MistralForCausalLM', 'Qwen2ForCausalLM', 'GemmaForCausalLM'],
  },
  {
    name: 'LLaMA-Factory',
    version: '1.21',
    image: 'llama-factory:1.21-cuda12.1-devel-ubuntu22.04-py310-torch2.1.2',
    cpuImage: '',
    type: 2,
    port: 8000,
    architectures: ['LlamaForCausalLM', 'MistralForCausalLM', 'Qwen2ForCausalLM', 'ChatGLMModel'],
  },
  {
    name: 'OpenCompass',
    version: '0.3.5',
    image: 'opencompass:0.3.5',
    cpuImage: '',
    type: 4,
    port: 8000,
    architectures: ['LlamaForCausalLM', 'Qwen2ForCausalLM'],
  },
];

const sqlString = (value: string) => `'${value.replaceAll("'", "''")}'`;

/** The seed, written so that running it again changes nothing an administrator edited. */
export function seedSql(): string {
  const lines = [
    '\\set ON_ERROR_STOP on',
    '-- root is the administrator: now if it has signed in already, else on its first sign-in.',
    "UPDATE users SET role_mask = 'admin' WHERE username = 'root';",
    'CREATE OR REPLACE FUNCTION berth_root_is_admin() RETURNS trigger LANGUAGE plpgsql AS $$',
    'BEGIN',
    "  IF NEW.username = 'root' THEN UPDATE users SET role_mask = 'admin' WHERE id = NEW.id; END IF;",
    '  RETURN NULL;',
    'END $$;',
    'DROP TRIGGER IF EXISTS berth_root_is_admin ON users;',
    'CREATE TRIGGER berth_root_is_admin AFTER INSERT ON users FOR EACH ROW EXECUTE FUNCTION berth_root_is_admin();',
    '',
    '-- Space hardware tiers of the first registered cluster (none yet: the next apply adds them).',
  ];
  for (const tier of SPACE_RESOURCES) {
    const resources = JSON.stringify({
      ...(tier.gpu ? { gpu: { type: 'GPU', num: tier.gpu, resource_name: 'nvidia.com/gpu' } } : {}),
      cpu: { type: 'Intel', num: tier.cpu },
      memory: tier.memory,
    });
    lines.push(
      `INSERT INTO space_resources (name, resources, cluster_id) SELECT ${sqlString(tier.name)}, ${sqlString(resources)}, c.cluster_id FROM (SELECT cluster_id FROM cluster_infos ORDER BY cluster_id LIMIT 1) c WHERE NOT EXISTS (SELECT 1 FROM space_resources WHERE name = ${sqlString(tier.name)});`,
    );
  }
  lines.push('', '-- Runtimes and the architectures they serve.');
  for (const rt of RUNTIMES) {
    const name = sqlString(rt.name);
    lines.push(
      `INSERT INTO runtime_frameworks (frame_name, frame_version, frame_image, frame_cpu_image, enabled, container_port, type) SELECT ${name}, ${sqlString(rt.version)}, ${sqlString(rt.image)}, ${sqlString(rt.cpuImage)}, 1, ${rt.port}, ${rt.type} WHERE NOT EXISTS (SELECT 1 FROM runtime_frameworks WHERE frame_name = ${name});`,
    );
    const values = rt.architectures.map((a) => `(${sqlString(a)})`).join(', ');
    lines.push(
      `INSERT INTO runtime_architectures (runtime_framework_id, architecture_name) SELECT f.id, a.name FROM runtime_frameworks f CROSS JOIN (VALUES ${values}) AS a(name) WHERE f.frame_name = ${name} AND NOT EXISTS (SELECT 1 FROM runtime_architectures r WHERE r.runtime_framework_id = f.id AND r.architecture_name = a.name);`,
    );
  }
  return `${lines.join('\n')}\n`;
}

export function seedConfig(): ConfigMapSpec {
  return { name: 'server-seed', data: { 'seed.sql': seedSql() } };
}

/** Loads the seed with psql once the runner (and so the cluster it registers) is up. */
export function seedJob(wiring: Wiring): ComponentSpec {
  return psqlJob(wiring, {
    name: 'seed',
    stage: 'frontends',
    database: wiring.backends.postgres.databases.server,
    command: ['psql', '-f', '/seed/seed.sql'],
    volumes: [
      { name: 'seed', mountPath: '/seed', configMap: objectName(wiring.ctx, 'server-seed'), readOnly: true },
    ],
    rollOn: { configMaps: ['server-seed'] },
  });
}
