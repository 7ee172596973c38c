/** The wiring verifier on small hand-built releases: each check fires on a broken graph, not on a sound one. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../../src/render/model.ts';
import type { Manifest } from '../../src/render/render.ts';
import { releaseWiring } from '../../src/verify/callers.ts';
import { imagePinned } from '../../src/verify/checks/containers.ts';
import type { Finding } from '../../src/verify/findings.ts';
import { referencesInText } from '../../src/verify/references.ts';
import { verifyRelease } from '../../src/verify/verify.ts';

const NS = 'ns';
type Json = Record<string, any>;

function labels(component: string) {
  return { 'app.kubernetes.io/instance': 'app', 'app.kubernetes.io/component': component };
}

function workload(component: string, container: Json, extra: Json = {}, kind = 'Deployment'): KubeObject {
  const template = {
    metadata: { labels: labels(component) },
    spec: { containers: [{ name: component, image: 'img:1.0', ...container }], ...extra.pod },
  };
  return {
    apiVersion: kind === 'Job' ? 'batch/v1' : 'apps/v1',
    kind,
    metadata: { name: `app-${component}`, namespace: NS, labels: labels(component) },
    spec:
      kind === 'Job'
        ? { template }
        : {
            replicas: extra.replicas ?? 1,
            selector: { matchLabels: labels(component) },
            template,
            ...(extra.strategy ? { strategy: extra.strategy } : {}),
          },
  };
}

function service(component: string, ports: Json[]): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: `app-${component}`, namespace: NS, labels: labels(component) },
    spec: { selector: labels(component), ports },
  };
}

const db = workload('db', { ports: [{ name: 'pg', containerPort: 5432 }] });
const dbService = service('db', [{ name: 'pg', port: 5432, targetPort: 'pg' }]);

function verify(objects: KubeObject[], extra: { values?: unknown; singletons?: string[] } = {}): Finding[] {
  const manifests: Manifest[] = objects.map((object) => ({ stage: 'backends', object }));
  return verifyRelease({
    release: 'app',
    namespace: NS,
    values: extra.values ?? {},
    manifests,
    singletons: new Set(extra.singletons ?? []),
  });
}

function checks(findings: Finding[], level: 'error' | 'warning' = 'error'): string[] {
  return findings.filter((f) => f.level === level).map((f) => f.check);
}

describe('host references', () => {
  it('accepts a URL to a Service port of the release', () => {
    const web = workload('web', {
      env: [{ name: 'DATABASE_URL', value: 'postgres://u:$(DB_PASSWORD)@app-db:5432/x' }],
    });
    assert.deepEqual(verify([db, dbService, web]), []);
  });

  it('refuses a host that is no Service and a port the Service lacks', () => {
    const web = workload('web', {
      env: [
        { name: 'DATABASE_URL', value: 'postgres://app-database:5432/x' },
        { name: 'OTHER', value: 'app-db:6543' },
      ],
    });
    const found = verify([db, dbService, web]);
    assert.deepEqual(checks(found), ['host-reference', 'host-reference']);
    assert.match(found[0]!.message, /app-database, which is no Service/);
    assert.match(found[1]!.message, /has no port 6543 \(it has 5432\)/);
  });

  it('pairs FOO_HOST with FOO_PORT and applies the scheme default port', () => {
    const pair = workload('web', {
      env: [
        { name: 'DB_HOST', value: 'app-db' },
        { name: 'DB_PORT', value: '5433' },
      ],
    });
    assert.deepEqual(checks(verify([db, dbService, pair])), ['host-reference']);
    const http = workload('web', { env: [{ name: 'API', value: 'http://app-db/x' }] });
    assert.match(verify([db, dbService, http])[0]!.message, /no port 80/);
  });

  it('reads config files mounted into the pod', () => {
    const config: KubeObject = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'app-config' },
      data: { 'app.yaml': 'db:\n  host: app-dbx\n  url: redis://app-db:6379\n' },
    };
    const web = workload(
      'web',
      { volumeMounts: [{ name: 'c', mountPath: '/c' }] },
      { pod: { volumes: [{ name: 'c', configMap: { name: 'app-config' } }] } },
    );
    const found = verify([db, dbService, config, web]);
    assert.deepEqual(checks(found), ['host-reference', 'host-reference']);
  });

  it('ignores hosts outside the cluster and hosts the user typed', () => {
    assert.deepEqual(referencesInText('https://app-web.example.com', 'app', false).length, 1);
    const web = workload('web', {
      env: [
        { name: 'A', value: 'https://app-web.example.com/' },
        { name: 'B_HOST', value: 'app-external.ns.svc' },
      ],
    });
    assert.deepEqual(verify([web], { values: { integrations: { b: { host: 'app-external.ns.svc' } } } }), []);
    assert.deepEqual(checks(verify([web])), ['host-reference']);
  });

  it('resolves StatefulSet pod names through their governing Service', () => {
    const web = workload('web', { env: [{ name: 'DB', value: 'postgres://app-db-0.app-db.ns.svc:5432/x' }] });
    assert.deepEqual(verify([db, dbService, web]), []);
  });
});

describe('object references', () => {
  it('refuses a Secret or key the release does not have, unless the values declare it', () => {
    const secret: KubeObject = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'app-creds' },
      stringData: { password: 'x' },
    };
    const web = workload('web', {
      env: [
        { name: 'P', valueFrom: { secretKeyRef: { name: 'app-creds', key: 'pasword' } } },
        { name: 'Q', valueFrom: { secretKeyRef: { name: 'theirs', key: 'k' } } },
      ],
    });
    assert.deepEqual(checks(verify([secret, web])), ['object-reference', 'object-reference']);
    assert.deepEqual(
      checks(verify([secret, web], { values: { integrations: { x: { existingSecret: 'theirs' } } } })),
      ['object-reference'],
    );
  });

  it('checks volumes and envFrom', () => {
    const web = workload(
      'web',
      { envFrom: [{ configMapRef: { name: 'app-env' } }] },
      { pod: { volumes: [{ name: 'd', persistentVolumeClaim: { claimName: 'app-data' } }] } },
    );
    assert.deepEqual(checks(verify([web])), ['object-reference', 'object-reference']);
  });
});

describe('containers and Services', () => {
  it('refuses duplicate env names, undeclared named probe ports and unpinned images', () => {
    const web = workload('web', {
      image: 'web:latest',
      env: [
        { name: 'A', value: '1' },
        { name: 'A', value: '2' },
      ],
      readinessProbe: { httpGet: { path: '/', port: 'http' } },
    });
    assert.deepEqual(checks(verify([web])).sort(), ['duplicate-env', 'image-pinned', 'probe-port']);
  });

  it('pins by tag or digest', () => {
    assert.equal(imagePinned('registry:5000/a/b:1.2'), true);
    assert.equal(imagePinned('registry:5000/a/b'), false);
    assert.equal(imagePinned(`a/b@sha256:${'a'.repeat(64)}`), true);
    assert.equal(imagePinned('a/b:latest'), false);
  });

  it('refuses a Service that selects nothing or targets a port nobody declares', () => {
    assert.deepEqual(checks(verify([service('ghost', [{ port: 80, targetPort: 'http' }])])), [
      'service-selector',
    ]);
    assert.deepEqual(checks(verify([db, service('db', [{ port: 80, targetPort: 'http' }])])), [
      'service-port',
    ]);
  });
});

describe('network policies', () => {
  const policy = (component: string, from: Json[], extra: Json = {}): KubeObject => ({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: `app-${component}` },
    spec: {
      podSelector: { matchLabels: labels(component) },
      policyTypes: ['Ingress', ...(extra.egress ? ['Egress'] : [])],
      ingress: [{ from, ports: [{ port: 'pg' }] }],
      ...extra,
    },
  });
  const web = workload('web', { env: [{ name: 'DB_URL', value: 'postgres://app-db:5432/x' }] });
  const migrate = {
    ...workload('migrate', { env: [{ name: 'DB_URL', value: 'postgres://app-db:5432/x' }] }, {}, 'Job'),
  };

  it('refuses a policy that leaves out a caller, a Job included', () => {
    const onlyWeb = policy('db', [{ podSelector: { matchLabels: labels('web') } }]);
    const found = verify([db, dbService, web, migrate, onlyWeb]);
    assert.deepEqual(checks(found), ['network-policy']);
    assert.match(found[0]!.message, /does not admit Job\/app-migrate/);
  });

  it('refuses egress that does not let the caller out', () => {
    const egress = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'app-web' },
      spec: {
        podSelector: { matchLabels: labels('web') },
        policyTypes: ['Egress'],
        egress: [{ ports: [{ port: 53, protocol: 'UDP' }] }],
      },
    } as KubeObject;
    assert.deepEqual(checks(verify([db, dbService, web, egress])), ['network-policy']);
  });

  it('refuses a policy that shuts out the metrics scraper or the ingress controller', () => {
    const monitor = {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'ServiceMonitor',
      metadata: { name: 'app-db' },
      spec: { selector: { matchLabels: labels('db') }, endpoints: [{ port: 'pg' }] },
    } as KubeObject;
    const ingress = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name: 'app' },
      spec: {
        rules: [
          {
            http: { paths: [{ path: '/', backend: { service: { name: 'app-db', port: { name: 'pg' } } } }] },
          },
        ],
      },
    } as KubeObject;
    const inner = policy('db', [{ podSelector: {} }]);
    assert.deepEqual(checks(verify([db, dbService, monitor, inner])), ['network-policy']);
    assert.deepEqual(checks(verify([db, dbService, ingress, inner])), ['network-policy']);
    const open = policy('db', [{ podSelector: {} }, { namespaceSelector: {} }]);
    assert.deepEqual(verify([db, dbService, monitor, ingress, open]), []);
  });

  it('derives the callers a policy must admit from the wiring', () => {
    const { callers } = releaseWiring({
      release: 'app',
      namespace: NS,
      manifests: [db, dbService, web, migrate].map((object) => ({ stage: 'backends' as const, object })),
    });
    assert.deepEqual([...(callers.get('db') ?? [])].sort(), ['migrate', 'web']);
  });
});

describe('rollouts and storage', () => {
  const claim = (mode: string): KubeObject => ({
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name: 'app-data' },
    spec: { accessModes: [mode] },
  });
  const pod = { pod: { volumes: [{ name: 'd', persistentVolumeClaim: { claimName: 'app-data' } }] } };

  it('refuses a surging rollout on a ReadWriteOnce claim, accepts Recreate', () => {
    const surging = workload(
      'web',
      {},
      { ...pod, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1 } } },
    );
    assert.deepEqual(checks(verify([claim('ReadWriteOnce'), surging])), ['rwo-surge']);
    const recreate = workload('web', {}, { ...pod, strategy: { type: 'Recreate' } });
    assert.deepEqual(verify([claim('ReadWriteOnce'), recreate]), []);
  });

  it('refuses a singleton that surges or scales', () => {
    const surging = workload(
      'beat',
      {},
      { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1 } } },
    );
    assert.deepEqual(checks(verify([surging], { singletons: ['beat'] })), ['singleton']);
    const scaled = workload('beat', {}, { replicas: 2, strategy: { type: 'Recreate' } });
    assert.deepEqual(checks(verify([scaled], { singletons: ['beat'] })), ['singleton']);
  });

  it('flags ReadWriteMany claims as a warning', () => {
    assert.deepEqual(checks(verify([claim('ReadWriteMany')]), 'warning'), ['read-write-many']);
  });
});

describe('credentials in plain text', () => {
  const subjects = (findings: Finding[]) =>
    findings
      .filter((f) => f.check === 'plain-credential')
      .map((f) => `${f.subject}: ${f.message.split(';')[0]}`);

  it('warns for an env credential or a URL password written into the pod spec', () => {
    const web = workload('web', {
      env: [
        { name: 'OPENAI_API_KEY', value: 'sk-123456' },
        { name: 'DB_PASSWORD', value: 'hunter22' },
        { name: 'CACHE_URL', value: 'redis://:s3cret@app-db:5432/0' },
      ],
    });
    const found = verify([db, dbService, web]);
    assert.deepEqual(subjects(found), [
      'Deployment/app-web container web env OPENAI_API_KEY: holds a credential in plain text in the pod spec',
      'Deployment/app-web container web env DB_PASSWORD: holds a credential in plain text in the pod spec',
      'Deployment/app-web container web env CACHE_URL: has a password inside a URL in plain text in the pod spec',
    ]);
    assert.deepEqual(checks(found), [], "a warning, never an error: the values are the user's to choose");
    assert.match(found[0]!.message, /valueFrom\.secretKeyRef/);
  });

  it('is quiet for references, harmless values and names that only contain a credential word', () => {
    const web = workload('web', {
      env: [
        { name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'app-db', key: 'password' } } },
        { name: 'DATABASE_URL', value: 'postgres://$(DB_USER):$(DB_PASSWORD)@app-db:5432/x' },
        { name: 'AUTH_TOKEN', value: '' },
        { name: 'SECRET_KEY', value: '$(GENERATED_SECRET)' },
        { name: 'APIKEY_KEYS_0_KEYID', value: 'default' },
        { name: 'MINIO_PRIVATE_BUCKET', value: 'private' },
        { name: 'HTPASSWD_PATH', value: '/auth/htpasswd' },
      ],
    });
    assert.deepEqual(subjects(verify([db, dbService, web])), []);
  });

  it('warns for a literal URL password in a ConfigMap, not for a reference to one', () => {
    const config = (name: string, data: Record<string, string>): KubeObject =>
      ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data }) as KubeObject;
    const found = verify([
      db,
      dbService,
      config('app-config', {
        'application.yml': 'backends:\n  - url: http://user:s3cret@llm:8000\n',
        'plain.yml': 'url: http://llm:8000\n',
      }),
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a placeholder the application resolves
      config('app-templated', { 'application.yml': 'url: postgres://app:${DB_PASSWORD}@app-db:5432/x\n' }),
    ]);
    assert.deepEqual(subjects(found), [
      'ConfigMap/app-config key application.yml: has a password inside a URL in plain text',
    ]);
  });
});
