/**
 * berth adopt helm, the parts that need no cluster: Helm's record encoding, chart recognition,
 * the layout patches that keep immutable fields and follow moved selectors, and field ownership.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { type ChartObjects, recognise } from '../../src/adopt/charts/index.ts';
import { BITNAMI_POSTGRES_SERVER, LayoutBuilder } from '../../src/adopt/charts/profile.ts';
import { gitOpsReconcilers } from '../../src/adopt/gitops.ts';
import { decodeHelmRecord, type HelmRelease } from '../../src/adopt/helm-record.ts';
import { applicationEnv, followSelectors, keepImmutable, storeLayout } from '../../src/adopt/layout.ts';
import { handBackFields, takeOverFields } from '../../src/adopt/managers.ts';
import type { BerthError } from '../../src/errors.ts';
import type { KubeClient } from '../../src/kube/client.ts';
import type { LiveObject } from '../../src/kube/types.ts';
import type { KubeObject } from '../../src/render/model.ts';
import { applyPatches } from '../../src/render/patches.ts';

type Json = Record<string, any>;

/** A record Secret as the API server returns it: Helm's base64(gzip(JSON)), base64-encoded again. */
function recordSecret(release: Json): LiveObject {
  const helmEncoded = gzipSync(Buffer.from(JSON.stringify(release))).toString('base64');
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: 'sh.helm.release.v1.lf.v3',
      labels: { owner: 'helm', status: 'deployed', version: '3' },
    },
    type: 'helm.sh/release.v1',
    data: { release: Buffer.from(helmEncoded).toString('base64') },
  };
}

const helmRelease = (chart: { name: string; version: string }): HelmRelease => ({
  name: 'langfuse',
  namespace: 'ns',
  revision: 1,
  status: 'deployed',
  chart: { ...chart, appVersion: '' },
  config: {},
  objects: [],
  hooks: [],
  applyMethod: 'ssa',
});

describe('Helm release record', () => {
  test('decodes the Secrets driver encoding: chart, values, objects of the manifest, hooks', () => {
    const decoded = decodeHelmRecord(
      recordSecret({
        name: 'lf',
        namespace: 'ns',
        version: 3,
        info: { status: 'deployed' },
        chart: { metadata: { name: 'langfuse', version: '1.5.41', appVersion: '3.224.1' } },
        config: { langfuse: { salt: { value: 'x' } } },
        manifest:
          '---\n# Source: a\napiVersion: v1\nkind: Service\nmetadata:\n  name: lf-web\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: lf-web\n',
        hooks: [{ name: 'lf-migrate', kind: 'Job', events: ['pre-upgrade'] }],
        apply_method: 'ssa',
      }),
    );
    assert.deepEqual(decoded.chart, { name: 'langfuse', version: '1.5.41', appVersion: '3.224.1' });
    assert.equal(decoded.revision, 3);
    assert.deepEqual(decoded.config, { langfuse: { salt: { value: 'x' } } });
    assert.deepEqual(decoded.objects, [
      { apiVersion: 'v1', kind: 'Service', name: 'lf-web' },
      { apiVersion: 'apps/v1', kind: 'Deployment', name: 'lf-web' },
    ]);
    assert.deepEqual(decoded.hooks, [{ name: 'lf-migrate', kind: 'Job', events: ['pre-upgrade'] }]);
    assert.equal(decoded.applyMethod, 'ssa');
  });
});

describe('chart recognition', () => {
  test('Langfuse chart 1.x is recognised; 2.x, other charts and other blueprints are refused with the reason', () => {
    assert.equal(
      recognise('langfuse', helmRelease({ name: 'langfuse', version: '1.5.41' })).versions,
      '1.x (Bitnami subcharts)',
    );
    assert.throws(
      () => recognise('langfuse', helmRelease({ name: 'langfuse', version: '2.0.0' })),
      (error: BerthError) => /chart langfuse 2\.0\.0 is not one berth recognises/.test(error.message),
    );
    assert.throws(
      () => recognise('langfuse', helmRelease({ name: 'my-langfuse', version: '1.0.0' })),
      /chart my-langfuse 1\.0\.0 is not one berth recognises/,
    );
    assert.throws(
      () => recognise('model-router', helmRelease({ name: 'model-router', version: '0.1.0' })),
      /no adoption profile for model-router/,
    );
  });
});

const statefulSet = (spec: Json): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'StatefulSet',
  metadata: { name: 'lf-postgresql' },
  spec,
});

describe('layout patches', () => {
  const ours = {
    'app.kubernetes.io/name': 'langfuse',
    'app.kubernetes.io/instance': 'lf',
    'app.kubernetes.io/component': 'postgresql',
  };
  const theirs = {
    'app.kubernetes.io/name': 'postgresql',
    'app.kubernetes.io/instance': 'lf',
    'app.kubernetes.io/component': 'primary',
  };
  const rendered = statefulSet({
    serviceName: 'lf-postgresql',
    selector: { matchLabels: ours },
    template: { metadata: { labels: { ...ours } }, spec: { containers: [] } },
    volumeClaimTemplates: [
      { metadata: { name: 'data' }, spec: { resources: { requests: { storage: '10Gi' } } } },
    ],
  });
  const live = {
    ...statefulSet({
      serviceName: 'lf-postgresql-hl',
      selector: { matchLabels: theirs },
      template: { metadata: { labels: theirs }, spec: { serviceAccountName: 'lf', containers: [] } },
      volumeClaimTemplates: [
        {
          apiVersion: 'v1',
          kind: 'PersistentVolumeClaim',
          metadata: { name: 'data', creationTimestamp: null },
          spec: { resources: { requests: { storage: '8Gi' } } },
          status: { phase: 'Pending' },
        },
      ],
    }),
  } as LiveObject;

  test('a kept StatefulSet keeps the selector, service name and claim templates Kubernetes will not change', () => {
    const kept = keepImmutable(rendered, live);
    assert.deepEqual(kept.patch?.target, { kind: 'StatefulSet', name: 'lf-postgresql' });
    const ops = kept.patch?.patch as Json[];
    assert.deepEqual(ops.find((o) => o.path === '/spec/selector')?.value, { matchLabels: theirs });
    assert.equal(
      ops.find((o) => o.path === '/spec/template/metadata/labels/app.kubernetes.io~1component')?.value,
      'primary',
    );
    assert.equal(ops.find((o) => o.path === '/spec/serviceName')?.value, 'lf-postgresql-hl');
    assert.equal(ops.find((o) => o.path === '/spec/template/spec/serviceAccountName')?.value, 'default');
    // Server-set fields of the template do not travel: they would make the template differ.
    assert.deepEqual(ops.find((o) => o.path === '/spec/volumeClaimTemplates')?.value, [
      {
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        metadata: { name: 'data' },
        spec: { resources: { requests: { storage: '8Gi' } } },
      },
    ]);
    assert.deepEqual(kept.selectorMoved, { from: ours, to: theirs });
  });

  test('an identical workload needs no patch', () => {
    assert.equal(keepImmutable(rendered, rendered as LiveObject).patch, undefined);
  });

  test('selectors that picked berth labels follow the pods to the chart labels', () => {
    const service: KubeObject = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'lf-postgresql' },
      spec: { selector: ours },
    };
    const other: KubeObject = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'lf-web' },
      spec: { selector: { ...ours, 'app.kubernetes.io/component': 'web' } },
    };
    const patches = followSelectors([service, other], { from: ours, to: theirs });
    assert.deepEqual(patches, [
      {
        target: { kind: 'Service', name: 'lf-postgresql' },
        patch: [{ op: 'replace', path: '/spec/selector', value: theirs }],
      },
    ]);
  });

  test("applications use the chart's database user and database", () => {
    const web: KubeObject = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'lf-web' },
      spec: {
        template: {
          spec: {
            containers: [
              {
                name: 'web',
                env: [
                  { name: 'DATABASE_USERNAME', value: 'langfuse' },
                  {
                    name: 'DATABASE_URL',
                    value:
                      'postgresql://$(DATABASE_USERNAME):$(DATABASE_PASSWORD)@lf-postgresql.ns.svc:5432/langfuse',
                  },
                ],
              },
            ],
          },
        },
      },
    };
    const patch = applicationEnv(web, { DATABASE_USERNAME: 'postgres', DATABASE_NAME: 'postgres_langfuse' });
    assert.deepEqual(patch?.patch, [
      { op: 'test', path: '/spec/template/spec/containers/0/env/0/name', value: 'DATABASE_USERNAME' },
      {
        op: 'replace',
        path: '/spec/template/spec/containers/0/env/0',
        value: { name: 'DATABASE_USERNAME', value: 'postgres' },
      },
      { op: 'test', path: '/spec/template/spec/containers/0/env/1/name', value: 'DATABASE_URL' },
      {
        op: 'replace',
        path: '/spec/template/spec/containers/0/env/1',
        value: {
          name: 'DATABASE_URL',
          value:
            'postgresql://$(DATABASE_USERNAME):$(DATABASE_PASSWORD)@lf-postgresql.ns.svc:5432/postgres_langfuse',
        },
      },
    ]);
  });

  test('a position-based patch refuses to write when a later render moved the entry', () => {
    const web = (env: { name: string; value: string }[]): KubeObject => ({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'lf-web' },
      spec: { template: { spec: { containers: [{ name: 'web', env }] } } },
    });
    const first = web([{ name: 'DATABASE_USERNAME', value: 'langfuse' }]);
    const patch = applicationEnv(first, { DATABASE_USERNAME: 'postgres' })!;
    const moved = [
      {
        object: web([
          { name: 'EXTRA', value: 'x' },
          { name: 'DATABASE_USERNAME', value: 'langfuse' },
        ]),
      },
    ];
    assert.throws(
      () => applyPatches(moved, [patch]),
      /values patches\[0\]\.patch: JSON patch does not apply/,
    );
    assert.deepEqual(
      (moved[0]!.object.spec as { template: { spec: { containers: { env: unknown[] }[] } } }).template.spec
        .containers[0]!.env[0],
      { name: 'EXTRA', value: 'x' },
    );
    const same = [{ object: first }];
    applyPatches(same, [patch]);
    assert.deepEqual(
      (same[0]!.object.spec as { template: { spec: { containers: { env: unknown[] }[] } } }).template.spec
        .containers[0]!.env,
      [{ name: 'DATABASE_USERNAME', value: 'postgres' }],
    );
  });
});

describe('a Bitnami PostgreSQL data directory', () => {
  test("berth's PostgreSQL listens everywhere and reads client rules from the release, not PGDATA's defaults", async () => {
    const { getBlueprint } = await import('../../src/blueprints/registry.ts');
    const { render } = await import('../../src/render/render.ts');
    const blueprint = await getBlueprint('langfuse');
    const store = {
      dependency: 'postgresql',
      workload: { kind: 'StatefulSet', name: 'lf-postgresql' },
      claim: 'data-lf-postgresql-0',
      mountPath: '/bitnami/postgresql',
      env: { PGDATA: '/bitnami/postgresql/data' },
      uid: 1001,
      server: BITNAMI_POSTGRES_SERVER,
    };
    const layout = (objects: ChartObjects) => {
      const builder = new LayoutBuilder('lf', objects);
      builder.stores.push(store);
      return builder.build();
    };
    const { values } = layout({ get: () => undefined, secret: () => undefined });
    const first = await render(blueprint, values, { release: 'lf', namespace: 'ns' });
    const postgres = first.manifests.find(
      (m) => m.object.kind === 'StatefulSet' && m.object.metadata.name === 'lf-postgresql',
    )!;
    const patch = storeLayout(postgres.object, store, 'lf')!;
    const { manifests } = await render(
      blueprint,
      { ...values, patches: [patch] },
      { release: 'lf', namespace: 'ns' },
    );
    const configMap = manifests.find(
      (m) => m.object.kind === 'ConfigMap' && m.object.metadata.name === 'lf-postgresql-adopted',
    );
    assert.match(
      String((configMap?.object as { data?: Record<string, string> } | undefined)?.data?.['pg_hba.conf']),
      /^host all all 0\.0\.0\.0\/0 md5$/m,
    );
    const pod = (
      manifests.find((m) => m.object.kind === 'StatefulSet' && m.object.metadata.name === 'lf-postgresql')!
        .object.spec as {
        template: {
          spec: {
            volumes: { name: string; configMap?: { name: string } }[];
            containers: { args?: string[]; volumeMounts: { name: string; mountPath: string }[] }[];
          };
        };
      }
    ).template.spec;
    assert.deepEqual(pod.containers[0]!.args, [
      'postgres',
      '-c',
      'listen_addresses=*',
      '-c',
      'hba_file=/etc/berth/adopted/pg_hba.conf',
    ]);
    assert.equal(
      pod.volumes.find((v) => v.name === 'adopted-config')?.configMap?.name,
      'lf-postgresql-adopted',
    );
    assert.equal(
      pod.containers[0]!.volumeMounts.find((m) => m.name === 'adopted-config')?.mountPath,
      '/etc/berth/adopted',
    );
    assert.equal(
      pod.containers[0]!.volumeMounts.find((m) => m.name === 'data')?.mountPath,
      '/bitnami/postgresql',
    );
  });
});

describe('field ownership', () => {
  const helmEntry = {
    manager: 'helm',
    operation: 'Update',
    apiVersion: 'apps/v1',
    fieldsV1: {
      'f:metadata': {
        'f:labels': { 'f:app.kubernetes.io/managed-by': {}, 'f:helm.sh/chart': {} },
        'f:annotations': { 'f:meta.helm.sh/release-name': {}, 'f:meta.helm.sh/release-namespace': {} },
      },
      'f:spec': { 'f:template': { 'f:spec': { 'f:serviceAccountName': {} } } },
    },
  };
  const status = {
    manager: 'kube-controller-manager',
    operation: 'Update',
    subresource: 'status',
    fieldsV1: { 'f:status': {} },
  };

  test("Helm's fields move to berth's Apply entry; Helm keeps only its ownership marks; status owners stay", () => {
    const entries = takeOverFields([helmEntry, status], 'apps/v1', 'berth')!;
    assert.deepEqual(
      entries.map((e) => `${e.manager}/${e.operation}`),
      ['kube-controller-manager/Update', 'berth/Apply', 'helm/Update'],
    );
    const berth = entries[1]!.fieldsV1 as Json;
    assert.deepEqual(berth['f:spec'], helmEntry.fieldsV1['f:spec']);
    assert.deepEqual(berth['f:metadata']['f:labels'], { 'f:helm.sh/chart': {} });
    assert.deepEqual(entries[2]!.fieldsV1, {
      'f:metadata': {
        'f:labels': { 'f:app.kubernetes.io/managed-by': {} },
        'f:annotations': { 'f:meta.helm.sh/release-name': {}, 'f:meta.helm.sh/release-namespace': {} },
      },
    });
    assert.equal(takeOverFields([status], 'apps/v1', 'berth'), undefined);
  });

  test('handing back gives every berth field to Helm, as Helm applies', () => {
    const taken = takeOverFields([helmEntry], 'apps/v1', 'berth')!;
    const back = handBackFields(taken, 'apps/v1', 'Apply')!;
    assert.deepEqual(
      back.map((e) => `${e.manager}/${e.operation}`),
      ['helm/Apply'],
    );
    assert.deepEqual((back[0]!.fieldsV1 as Json)['f:spec'], helmEntry.fieldsV1['f:spec']);
    assert.deepEqual(Object.keys((back[0]!.fieldsV1 as Json)['f:metadata']['f:annotations']).sort(), [
      'f:meta.helm.sh/release-name',
      'f:meta.helm.sh/release-namespace',
    ]);
  });
});

describe('GitOps reconcilers', () => {
  /** The two calls gitOpsReconcilers makes: discovery of the kind, and a list of it. */
  const served = (objects: Record<string, LiveObject[]>) =>
    ({
      resourceInfo: async (_apiVersion: string, kind: string) => {
        if (!objects[kind]) throw new Error(`${kind} not served`);
        return {};
      },
      list: async ({ kind }: { kind: string }) => objects[kind] ?? [],
    }) as unknown as KubeClient;
  const object = (kind: string, name: string, spec: Json, namespace = 'flux-system'): LiveObject => ({
    apiVersion: 'x/v1',
    kind,
    metadata: { name, namespace },
    spec,
  });
  const web = (labels: Record<string, string>): LiveObject => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'lf-web', labels },
  });

  test('a Flux HelmRelease naming the release refuses until it is suspended', async () => {
    const hr = object('HelmRelease', 'langfuse', { releaseName: 'lf', targetNamespace: 'apps' });
    const reasons = await gitOpsReconcilers(served({ HelmRelease: [hr] }), 'apps', 'lf', []);
    assert.match(reasons[0]!, /Flux HelmRelease flux-system\/langfuse reconciles it/);
    const suspended = { ...hr, spec: { ...(hr.spec as Json), suspend: true } };
    assert.deepEqual(await gitOpsReconcilers(served({ HelmRelease: [suspended] }), 'apps', 'lf', []), []);
    const elsewhere = object('HelmRelease', 'langfuse', { releaseName: 'lf', targetNamespace: 'other' });
    assert.deepEqual(await gitOpsReconcilers(served({ HelmRelease: [elsewhere] }), 'apps', 'lf', []), []);
  });

  test('an auto-synced Argo CD Application refuses; one without automated sync does not', async () => {
    const app = (automated: boolean) =>
      object(
        'Application',
        'langfuse',
        { destination: { namespace: 'apps' }, syncPolicy: automated ? { automated: {} } : {} },
        'argocd',
      );
    const tracked = [web({ 'argocd.argoproj.io/instance': 'langfuse' })];
    const reasons = await gitOpsReconcilers(served({ Application: [app(true)] }), 'apps', 'lf', tracked);
    assert.match(reasons.join('\n'), /Argo CD Application argocd\/langfuse syncs it automatically/);
    assert.deepEqual(
      await gitOpsReconcilers(served({ Application: [app(false)] }), 'apps', 'lf', tracked),
      [],
    );
  });

  test('tracking marks with no controller berth can see refuse; plain objects pass', async () => {
    const none = served({});
    assert.match(
      (await gitOpsReconcilers(none, 'apps', 'lf', [web({ 'argocd.argoproj.io/instance': 'lf-app' })]))[0]!,
      /tracked by Argo CD application lf-app/,
    );
    assert.match(
      (await gitOpsReconcilers(none, 'apps', 'lf', [web({ 'helm.toolkit.fluxcd.io/name': 'lf' })]))[0]!,
      /labelled helm.toolkit.fluxcd.io\/name=lf: Flux reconciles it until suspended/,
    );
    assert.deepEqual(await gitOpsReconcilers(none, 'apps', 'lf', [web({ app: 'web' })]), []);
  });
});
