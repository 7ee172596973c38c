/** Each production policy on its own, with plain component specs: defaults, exceptions and overrides. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ComponentSpec, ContainerSpec } from '../../src/render/model.ts';
import {
  containerProbes,
  containerSecurityContext,
  deploymentStrategy,
  disruptionBudgetLimits,
  envByName,
  mustNotSurge,
  podSecurityContext,
  probe,
  securityExceptionNotes,
  wantsDisruptionBudget,
} from '../../src/render/policies.ts';

const container = (extra: Partial<ContainerSpec> = {}) => ({ name: 'app', ...extra }) as ContainerSpec;
const component = (extra: Record<string, unknown> = {}) =>
  ({
    name: 'web',
    kind: 'Deployment',
    replicas: 1,
    containers: [container()],
    scheduling: {},
    ...extra,
  }) as unknown as ComponentSpec;
const rwo = (enabled: boolean, accessModes: string[]) => ({
  name: 'data',
  persistence: { enabled, accessModes },
});

describe('security contexts', () => {
  test('pods: non-root and RuntimeDefault; ids only when given; root only by exception', () => {
    assert.deepEqual(podSecurityContext(component()), {
      runAsNonRoot: true,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    assert.deepEqual(
      podSecurityContext(component({ podSecurity: { runAsUser: 1001, runAsGroup: 0, fsGroup: 2000 } })),
      {
        runAsNonRoot: true,
        runAsUser: 1001,
        runAsGroup: 0,
        fsGroup: 2000,
        seccompProfile: { type: 'RuntimeDefault' },
      },
    );
    const rootInit = component({
      initContainers: [container({ securityException: { runAsRoot: true, reason: 'chown' } } as never)],
    });
    assert.equal(podSecurityContext(rootInit).runAsNonRoot, false);
  });

  test('containers: drop ALL, no escalation, read-only root only when allowed, uid when given', () => {
    assert.deepEqual(containerSecurityContext(container()), {
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      readOnlyRootFilesystem: false,
      runAsNonRoot: true,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    const own = containerSecurityContext(
      container({ readOnlyRootFilesystem: true, runAsUser: 999 } as never),
    );
    assert.equal(own.readOnlyRootFilesystem, true);
    assert.equal(own.runAsUser, 999);
  });

  test('containers: each exception grants exactly what it names', () => {
    const with_ = (securityException: Record<string, unknown>) =>
      containerSecurityContext(
        container({ securityException: { reason: 'r', ...securityException } } as never),
      );
    assert.deepEqual(with_({ privileged: true }), {
      allowPrivilegeEscalation: true,
      capabilities: { drop: ['ALL'] },
      privileged: true,
      readOnlyRootFilesystem: false,
      runAsNonRoot: true,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    assert.equal(with_({ allowPrivilegeEscalation: true }).allowPrivilegeEscalation, true);
    assert.equal(with_({ allowPrivilegeEscalation: true }).privileged, undefined);
    assert.deepEqual(with_({ addCapabilities: ['NET_ADMIN'] }).capabilities, {
      add: ['NET_ADMIN'],
      drop: ['ALL'],
    });
    const root = with_({ runAsRoot: true });
    assert.equal(root.runAsNonRoot, false);
    assert.equal(root.runAsUser, 0);
    assert.equal(
      containerSecurityContext(
        container({ runAsUser: 5, securityException: { runAsRoot: true, reason: 'r' } } as never),
      ).runAsUser,
      0,
    );
    assert.deepEqual(with_({ seccompUnconfined: true }).seccompProfile, { type: 'Unconfined' });
  });

  test('exception notes name the component, container, every grant and the reason', () => {
    const spec = component({
      initContainers: [
        container({ name: 'init', securityException: { runAsRoot: true, reason: 'chown data' } } as never),
      ],
      containers: [
        container({
          securityException: {
            privileged: true,
            addCapabilities: ['NET_ADMIN', 'SYS_TIME'],
            allowPrivilegeEscalation: true,
            seccompUnconfined: true,
            reason: 'sandbox',
          },
        } as never),
        container({ name: 'plain' }),
      ],
    });
    assert.deepEqual(securityExceptionNotes(spec), [
      'web/init: security exception (runs as root): chown data',
      'web/app: security exception (privileged; capabilities NET_ADMIN, SYS_TIME; privilege escalation; seccomp Unconfined): sandbox',
    ]);
    assert.deepEqual(securityExceptionNotes(component()), []);
  });
});

describe('rollouts', () => {
  test('no surge for singletons and for Deployments on their own ReadWriteOnce claim', () => {
    assert.equal(mustNotSurge(component()), false);
    assert.equal(mustNotSurge(component({ singleton: true, kind: 'StatefulSet' })), true);
    assert.equal(mustNotSurge(component({ volumes: [rwo(true, ['ReadWriteOnce'])] })), true);
    assert.equal(mustNotSurge(component({ volumes: [rwo(false, ['ReadWriteOnce'])] })), false);
    assert.equal(
      mustNotSurge(component({ volumes: [rwo(true, ['ReadWriteOnce', 'ReadWriteMany'])] })),
      false,
    );
    assert.equal(mustNotSurge(component({ volumes: [{ name: 'tmp' }] })), false);
    assert.equal(
      mustNotSurge(component({ kind: 'StatefulSet', volumes: [rwo(true, ['ReadWriteOnce'])] })),
      false,
    );
  });

  test('strategy: one surge, none unavailable; Recreate where no surge; overrides win', () => {
    assert.deepEqual(deploymentStrategy(component()), {
      revisionHistoryLimit: 5,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
    });
    assert.deepEqual(deploymentStrategy(component({ replicas: 2 })).minReadySeconds, 5);
    assert.deepEqual(deploymentStrategy(component({ singleton: true })), {
      revisionHistoryLimit: 5,
      strategy: { type: 'Recreate' },
    });
    assert.deepEqual(
      deploymentStrategy(
        component({
          replicas: 3,
          scheduling: {
            minReadySeconds: 0,
            strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 1 } },
          },
        }),
      ),
      {
        revisionHistoryLimit: 5,
        minReadySeconds: 0,
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 1 } },
      },
    );
  });

  test('disruption budgets: replicated or autoscaled, asked for, never for Jobs', () => {
    assert.equal(wantsDisruptionBudget(component()), false);
    assert.equal(wantsDisruptionBudget(component({ replicas: 2 })), true);
    assert.equal(wantsDisruptionBudget(component({ scaling: { autoscaling: { enabled: true } } })), true);
    assert.equal(
      wantsDisruptionBudget(component({ replicas: 2, scaling: { podDisruptionBudget: { enabled: false } } })),
      false,
    );
    assert.equal(
      wantsDisruptionBudget(component({ scaling: { podDisruptionBudget: { enabled: true } } })),
      true,
    );
    assert.equal(wantsDisruptionBudget(component({ kind: 'Job', replicas: 2 })), false);
    assert.deepEqual(disruptionBudgetLimits(component()), { maxUnavailable: 1 });
    assert.deepEqual(
      disruptionBudgetLimits(component({ scaling: { podDisruptionBudget: { maxUnavailable: 2 } } })),
      { maxUnavailable: 2 },
    );
    assert.deepEqual(
      disruptionBudgetLimits(component({ scaling: { podDisruptionBudget: { minAvailable: '50%' } } })),
      { minAvailable: '50%' },
    );
  });

  test('env entries by name: a later one replaces an earlier one in its place', () => {
    assert.deepEqual(
      envByName([
        { name: 'A', value: '1' },
        { name: 'B', value: '2' },
        { name: 'A', value: '3' },
      ]),
      [
        { name: 'A', value: '3' },
        { name: 'B', value: '2' },
      ],
    );
  });
});

describe('probes', () => {
  test('handlers and defaults', () => {
    const defaults = { initialDelaySeconds: 0, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 3 };
    assert.deepEqual(probe({ http: { path: '/health', port: 'http' } } as never), {
      httpGet: { path: '/health', port: 'http' },
      ...defaults,
    });
    assert.deepEqual(probe({ tcp: { port: 5432 } } as never), { tcpSocket: { port: 5432 }, ...defaults });
    assert.deepEqual(
      probe({
        exec: ['pg_isready'],
        initialDelaySeconds: 1,
        periodSeconds: 2,
        timeoutSeconds: 3,
        failureThreshold: 4,
      } as never),
      {
        exec: { command: ['pg_isready'] },
        initialDelaySeconds: 1,
        periodSeconds: 2,
        timeoutSeconds: 3,
        failureThreshold: 4,
      },
    );
    assert.deepEqual(probe({} as never).exec, { command: [] });
  });

  test('readiness by default on the first port; startup and liveness when given; none for Jobs', () => {
    const ported = container({
      ports: [
        { name: 'http', port: 80 },
        { name: 'admin', port: 81 },
      ],
    } as never);
    assert.deepEqual(Object.keys(containerProbes(component(), ported)), ['readinessProbe']);
    assert.deepEqual(
      (containerProbes(component(), ported).readinessProbe as { tcpSocket: unknown }).tcpSocket,
      { port: 'http' },
    );
    assert.deepEqual(containerProbes(component(), container()), {});
    assert.deepEqual(containerProbes(component({ kind: 'Job' }), ported), {});
    const all = containerProbes(
      component(),
      container({
        ports: [{ name: 'http', port: 80 }],
        probes: {
          readiness: { http: { path: '/ready', port: 'http' } },
          startup: { tcp: { port: 'http' } },
          liveness: { exec: ['true'] },
        },
      } as never),
    );
    assert.deepEqual(Object.keys(all), ['startupProbe', 'readinessProbe', 'livenessProbe']);
    assert.deepEqual((all.readinessProbe as { httpGet: unknown }).httpGet, { path: '/ready', port: 'http' });
    assert.deepEqual((all.livenessProbe as { exec: unknown }).exec, { command: ['true'] });
  });
});
