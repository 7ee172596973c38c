/**
 * The production policies at their edges, with plain specs: labels, where images come from and
 * how a mirror rewrites them, user security settings that weaken the policy, user containers,
 * policy checks of rendered pod templates, topology spread, and user probe overrides.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { RenderContext } from '../../src/render/context.ts';
import type { ComponentSpec, ContainerSpec } from '../../src/render/model.ts';
import {
  containerProbes,
  deploymentStrategy,
  formatImage,
  imageReference,
  imageSource,
  layered,
  mirroredLocation,
  splitLocation,
  standardLabels,
  templatePolicyBreaches,
  topologySpread,
  userContainer,
  userSecurityWarnings,
  userSecurityWeakenings,
  wantsDisruptionBudget,
  weakenedBy,
} from '../../src/render/policies.ts';

const context = (global: Record<string, unknown> = {}) =>
  ({
    blueprint: { name: 'langfuse', appVersion: '3.1.0' },
    release: 'lf',
    common: { global: { podAntiAffinityPreset: 'soft', imageRegistry: '', ...global } },
  }) as unknown as RenderContext;
const component = (extra: Record<string, unknown> = {}) =>
  ({
    name: 'web',
    kind: 'Deployment',
    replicas: 1,
    containers: [{ name: 'app' }],
    scheduling: {},
    ...extra,
  }) as unknown as ComponentSpec;

describe('labels', () => {
  test('every object carries the standard labels; the component label only when there is one', () => {
    const common = {
      'app.kubernetes.io/name': 'langfuse',
      'app.kubernetes.io/instance': 'lf',
      'app.kubernetes.io/part-of': 'langfuse',
      'app.kubernetes.io/version': '3.1.0',
      'app.kubernetes.io/managed-by': 'berth',
    };
    assert.deepEqual(standardLabels(context()), common);
    assert.deepEqual(standardLabels(context(), 'web'), { ...common, 'app.kubernetes.io/component': 'web' });
  });
});

describe('image locations', () => {
  test('a name without a registry host is on Docker Hub, official images under library/', () => {
    assert.deepEqual(splitLocation('redis'), { registry: 'docker.io', path: 'library/redis' });
    assert.deepEqual(splitLocation('bitnami/redis'), { registry: 'docker.io', path: 'bitnami/redis' });
    assert.deepEqual(splitLocation('quay.io/redis'), { registry: 'quay.io', path: 'redis' });
    assert.deepEqual(splitLocation('harbor.io:5000/team/app'), {
      registry: 'harbor.io:5000',
      path: 'team/app',
    });
    assert.deepEqual(splitLocation('//harbor.io/team/app//'), { registry: 'harbor.io', path: 'team/app' });
  });

  test("a repository naming its registry wins; otherwise the image's registry (with a path) goes in front", () => {
    assert.deepEqual(imageSource({ registry: 'mirror.io', repository: 'quay.io/a/b' }), {
      registry: 'quay.io',
      path: 'a/b',
    });
    assert.deepEqual(imageSource({ registry: 'harbor.io/project//', repository: 'app' }), {
      registry: 'harbor.io',
      path: 'project/app',
    });
    assert.deepEqual(imageSource({ registry: '', repository: 'redis' }), {
      registry: 'docker.io',
      path: 'library/redis',
    });
  });

  test('a mirror prefixes the source path once, and never an image already on its host', () => {
    const hub = { registry: 'docker.io', path: 'library/redis' };
    assert.deepEqual(mirroredLocation(hub, ''), hub);
    assert.deepEqual(mirroredLocation(hub, '//mirror.io/cache//'), {
      registry: 'mirror.io',
      path: 'cache/library/redis',
    });
    const onMirror = { registry: 'mirror.io', path: 'cache/app' };
    assert.deepEqual(mirroredLocation(onMirror, 'mirror.io/cache'), onMirror);
  });

  test('references carry the tag, and the digest after it when pinned', () => {
    const location = { registry: 'docker.io', path: 'library/redis' };
    assert.equal(formatImage(location, '7.4'), 'docker.io/library/redis:7.4');
    assert.equal(formatImage(location, '7.4', 'sha256:ab'), 'docker.io/library/redis:7.4@sha256:ab');
    assert.equal(
      imageReference(context({ imageRegistry: 'mirror.io' }), { repository: 'redis', tag: '7.4' } as never),
      'mirror.io/library/redis:7.4',
    );
  });
});

describe('user security settings', () => {
  test('layering merges maps key by key; lists and scalars replace; nothing laid keeps the base', () => {
    const base = { a: { b: 1, c: [1, 2] }, d: 'x' };
    assert.equal(layered(base, undefined), base);
    assert.deepEqual(layered(base, { a: { c: [3] }, d: 'y', e: null }), {
      a: { b: 1, c: [3] },
      d: 'y',
      e: null,
    });
    assert.deepEqual(layered({ a: [1] }, { a: { b: 1 } }), { a: { b: 1 } });
    assert.deepEqual(layered({ a: null }, { a: { b: 1 } }), { a: { b: 1 } });
    assert.deepEqual(layered({ a: { b: 1 } }, { a: null }), { a: null }, 'null clears a map');
    assert.deepEqual(base, { a: { b: 1, c: [1, 2] }, d: 'x' }, 'the base is not changed');
  });

  test('each weakening is named; the settings that keep the policy are not', () => {
    assert.deepEqual(weakenedBy(undefined), []);
    assert.deepEqual(
      weakenedBy({
        runAsNonRoot: false,
        runAsUser: 0,
        privileged: true,
        allowPrivilegeEscalation: true,
        capabilities: { add: ['NET_ADMIN', 'SYS_TIME'] },
        seccompProfile: { type: 'Unconfined' },
      }),
      [
        'runAsNonRoot false',
        'runAsUser 0',
        'privileged',
        'allowPrivilegeEscalation',
        'capabilities NET_ADMIN, SYS_TIME',
        'seccomp Unconfined',
      ],
    );
    assert.deepEqual(
      weakenedBy({
        runAsNonRoot: true,
        runAsUser: 1000,
        privileged: false,
        allowPrivilegeEscalation: false,
        capabilities: { add: [], drop: ['ALL'] },
        seccompProfile: { type: 'RuntimeDefault' },
      }),
      [],
    );
    assert.deepEqual(weakenedBy({ capabilities: {} }), []);
  });

  test('weakenings by container: pod, main container, init containers and sidecars', () => {
    const spec = component({
      scheduling: {
        podSecurityContext: { runAsUser: 0 },
        securityContext: { privileged: true },
        initContainers: [{ name: 'chown', securityContext: { runAsNonRoot: false } }, { name: 'ok' }],
        sidecars: [{ name: 'proxy', securityContext: { capabilities: { add: ['NET_ADMIN'] } } }],
      },
    });
    assert.deepEqual(userSecurityWeakenings(spec), [
      ['pod', ['runAsUser 0']],
      ['app', ['privileged']],
      ['chown', ['runAsNonRoot false']],
      ['proxy', ['capabilities NET_ADMIN']],
    ]);
    assert.deepEqual(userSecurityWarnings(spec), [
      'web/pod: securityContext from values weakens the production policy (runAsUser 0)',
      'web/app: securityContext from values weakens the production policy (privileged)',
      'web/chown: securityContext from values weakens the production policy (runAsNonRoot false)',
      'web/proxy: securityContext from values weakens the production policy (capabilities NET_ADMIN)',
    ]);
    const twice = component({ scheduling: { securityContext: { privileged: true, runAsUser: 0 } } });
    assert.deepEqual(userSecurityWarnings(twice), [
      'web/app: securityContext from values weakens the production policy (runAsUser 0; privileged)',
    ]);
    const noContainers = component({ containers: [], scheduling: { securityContext: { privileged: true } } });
    assert.deepEqual(userSecurityWeakenings(noContainers), [['web', ['privileged']]]);
    assert.deepEqual(userSecurityWarnings(component()), []);
  });

  test("a user's container gets the container policy and default resources, the user's laid over", () => {
    assert.deepEqual(userContainer({ name: 'init', image: 'busybox' }), {
      name: 'init',
      image: 'busybox',
      resources: { requests: { cpu: '10m', memory: '32Mi' }, limits: { memory: '128Mi' } },
      securityContext: {
        allowPrivilegeEscalation: false,
        capabilities: { drop: ['ALL'] },
        readOnlyRootFilesystem: false,
        runAsNonRoot: true,
        seccompProfile: { type: 'RuntimeDefault' },
      },
    });
    const own = userContainer({
      name: 'init',
      resources: { limits: { memory: '1Gi', cpu: '1' } },
      securityContext: { runAsUser: 1000, capabilities: { add: ['CHOWN'] } },
    });
    assert.deepEqual(own.resources, {
      requests: { cpu: '10m', memory: '32Mi' },
      limits: { memory: '1Gi', cpu: '1' },
    });
    assert.deepEqual((own.securityContext as Record<string, unknown>).capabilities, {
      drop: ['ALL'],
      add: ['CHOWN'],
    });
    assert.equal((own.securityContext as Record<string, unknown>).runAsUser, 1000);
  });
});

describe('policy breaches of a rendered pod template', () => {
  const resources = { requests: { cpu: '10m', memory: '32Mi' }, limits: { memory: '64Mi' } };
  const safe = { runAsNonRoot: true, allowPrivilegeEscalation: false };

  test('a template within the policy has none', () => {
    assert.deepEqual(
      templatePolicyBreaches({ spec: { containers: [{ name: 'app', securityContext: safe, resources }] } }),
      [],
    );
    assert.deepEqual(
      templatePolicyBreaches({
        spec: { securityContext: { runAsNonRoot: true }, containers: [{ name: 'app', resources }] },
      }),
      [],
      "the pod's runAsNonRoot covers its containers",
    );
    assert.deepEqual(templatePolicyBreaches({}), []);
    assert.deepEqual(templatePolicyBreaches({ metadata: {}, spec: {} }), []);
  });

  test('each container is checked on its own: no securityContext or resources at all is a breach', () => {
    assert.deepEqual(
      templatePolicyBreaches({
        spec: {
          containers: [
            { name: 'bare' },
            { name: 'limits-only', securityContext: safe, resources: { limits: { memory: '1Gi' } } },
            {
              name: 'two',
              securityContext: { runAsUser: 0, privileged: true, runAsNonRoot: true },
              resources,
            },
          ],
        },
      }),
      [
        'bare: may run as root',
        'bare: no CPU and memory requests and memory limit',
        'limits-only: no CPU and memory requests and memory limit',
        'two: runAsUser 0; privileged',
      ],
    );
  });

  test('pod and container weakenings, a container that may run as root, and missing resources', () => {
    const breaches = templatePolicyBreaches({
      spec: {
        securityContext: { runAsUser: 0 },
        initContainers: [
          { name: 'init', securityContext: { privileged: true, runAsNonRoot: true }, resources },
        ],
        containers: [
          { name: 'app', resources },
          { name: 'side', securityContext: safe, resources: { requests: { cpu: '1' } } },
          { name: 'bare', securityContext: safe, resources: { requests: { memory: '1Gi' }, limits: {} } },
          { name: 'nolimit', securityContext: safe, resources: { requests: { cpu: '1', memory: '1Gi' } } },
        ],
      },
    });
    assert.deepEqual(breaches, [
      'pod: runAsUser 0',
      'init: privileged',
      'app: may run as root',
      'side: no CPU and memory requests and memory limit',
      'bare: no CPU and memory requests and memory limit',
      'nolimit: no CPU and memory requests and memory limit',
    ]);
  });

  test('containers declared in the security-exceptions annotation keep their exception', () => {
    const template = (annotation: string) => ({
      metadata: { annotations: { 'berth.dev/security-exceptions': annotation } },
      spec: {
        containers: [
          { name: 'sandbox', securityContext: { privileged: true, runAsNonRoot: true }, resources },
          { name: 'other', securityContext: { privileged: true, runAsNonRoot: true }, resources },
        ],
      },
    });
    assert.deepEqual(templatePolicyBreaches(template('sandbox: needs /dev/kvm')), ['other: privileged']);
    assert.deepEqual(templatePolicyBreaches(template('sandbox: privileged\nother: privileged')), []);
    assert.deepEqual(
      templatePolicyBreaches({ ...template(''), metadata: { annotations: { other: 'sandbox: x' } } }),
      ['sandbox: privileged', 'other: privileged'],
      'only the security-exceptions annotation declares exceptions',
    );
  });
});

describe('spreading, budgets and rollouts at their edges', () => {
  test('replicated or autoscaled workloads spread over nodes per the preset; Jobs and singles do not', () => {
    const spread = (ctx: RenderContext, extra: Record<string, unknown>) =>
      topologySpread(ctx, component(extra));
    assert.deepEqual(spread(context(), { replicas: 2 }), [
      {
        maxSkew: 1,
        topologyKey: 'kubernetes.io/hostname',
        whenUnsatisfiable: 'ScheduleAnyway',
        labelSelector: {
          matchLabels: {
            'app.kubernetes.io/name': 'langfuse',
            'app.kubernetes.io/instance': 'lf',
            'app.kubernetes.io/component': 'web',
          },
        },
      },
    ]);
    assert.equal(
      spread(context({ podAntiAffinityPreset: 'hard' }), { replicas: 2 })[0]?.whenUnsatisfiable,
      'DoNotSchedule',
    );
    assert.equal(spread(context(), { scaling: { autoscaling: { enabled: true } } }).length, 1);
    assert.deepEqual(spread(context(), { scaling: {} }), []);
    assert.deepEqual(spread(context(), { replicas: 1 }), []);
    assert.deepEqual(spread(context(), { replicas: 2, kind: 'Job' }), []);
    assert.deepEqual(spread(context({ podAntiAffinityPreset: 'none' }), { replicas: 2 }), []);
  });

  test('scaling settings without autoscaling or a rollout type alone keep the defaults', () => {
    assert.equal(wantsDisruptionBudget(component({ scaling: {} })), false);
    assert.deepEqual(deploymentStrategy(component({ scheduling: { strategy: { type: 'RollingUpdate' } } })), {
      revisionHistoryLimit: 5,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
    });
  });
});

describe('user probe overrides', () => {
  const ported = { name: 'app', ports: [{ name: 'http', port: 80 }] } as unknown as ContainerSpec;
  const defaults = { initialDelaySeconds: 0, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 3 };

  test('a probe with any handler replaces berth’s whole, on the default timings', () => {
    for (const handler of [
      { httpGet: { path: '/up', port: 80 } },
      { tcpSocket: { port: 81 } },
      { exec: { command: ['true'] } },
      { grpc: { port: 9000 } },
    ]) {
      const probes = containerProbes(component(), ported, { readiness: handler } as never);
      assert.deepEqual(probes.readinessProbe, { ...defaults, ...handler }, Object.keys(handler)[0]);
    }
  });

  test('a handler replaces even a probe berth sets with other timings', () => {
    const http = {
      ...ported,
      probes: { readiness: { http: { path: '/healthz', port: 'http' }, periodSeconds: 30 } },
    } as unknown as ContainerSpec;
    for (const handler of [
      { tcpSocket: { port: 81 } },
      { exec: { command: ['true'] } },
      { grpc: { port: 9 } },
    ]) {
      const probes = containerProbes(component(), http, { readiness: handler } as never);
      assert.deepEqual(probes.readinessProbe, { ...defaults, ...handler }, Object.keys(handler)[0]);
    }
  });

  test('timings alone are laid over berth’s probe, or over the readiness check where berth sets none', () => {
    const probes = containerProbes(component(), ported, {
      readiness: { periodSeconds: 30 },
      liveness: { failureThreshold: 9 },
    } as never);
    assert.deepEqual(probes.readinessProbe, { tcpSocket: { port: 'http' }, ...defaults, periodSeconds: 30 });
    assert.deepEqual(probes.livenessProbe, { tcpSocket: { port: 'http' }, ...defaults, failureThreshold: 9 });
    assert.equal(probes.startupProbe, undefined);
    const startup = containerProbes(component(), ported, { startup: { initialDelaySeconds: 7 } } as never);
    assert.deepEqual(startup.startupProbe, {
      tcpSocket: { port: 'http' },
      ...defaults,
      initialDelaySeconds: 7,
    });
    assert.deepEqual(
      containerProbes(
        component(),
        { name: 'app' } as ContainerSpec,
        { readiness: { periodSeconds: 1 } } as never,
      ),
      {},
      'timings with nothing to lay them on set no probe',
    );
  });
});
