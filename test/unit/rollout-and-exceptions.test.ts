/** Per-component rollout settings, singletons, ReadWriteOnce workloads, security exceptions and env replacement. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ComponentSpec } from '../../src/render/model.ts';
import {
  containerSecurityContext,
  deploymentStrategy,
  podSecurityContext,
  securityExceptionNotes,
} from '../../src/render/policies.ts';
import { envOf, find, podSpec, renderExample } from '../support/render.ts';

const base: ComponentSpec = {
  name: 'beat',
  stage: 'backends',
  kind: 'Deployment',
  replicas: 1,
  containers: [
    {
      name: 'beat',
      image: { repository: 'x', tag: '1', pullPolicy: 'IfNotPresent' } as never,
      resources: { requests: {}, limits: {} },
    },
  ],
  scheduling: { customLabels: {}, customAnnotations: {}, customTolerations: [], customNodeSelector: {} },
};

describe('rollout strategy', () => {
  test('rolls with one surge pod by default, recreates singletons and ReadWriteOnce workloads', () => {
    assert.deepEqual(deploymentStrategy(base).strategy, {
      type: 'RollingUpdate',
      rollingUpdate: { maxSurge: 1, maxUnavailable: 0 },
    });
    assert.deepEqual(deploymentStrategy({ ...base, singleton: true }).strategy, { type: 'Recreate' });
    const rwo = {
      name: 'data',
      mountPath: '/d',
      persistence: { enabled: true, accessModes: ['ReadWriteOnce'], size: '1Gi' },
    } as never;
    assert.deepEqual(deploymentStrategy({ ...base, volumes: [rwo] }).strategy, { type: 'Recreate' });
  });

  test('services.<name>.strategy and .minReadySeconds reach the Deployment', async () => {
    const result = await renderExample(
      'langfuse',
      [],
      [
        'services.web.strategy.rollingUpdate.maxSurge=25%',
        'services.web.strategy.rollingUpdate.maxUnavailable=1',
        'services.web.minReadySeconds=30',
        'services.worker.strategy.type=Recreate',
      ],
    );
    const web = find(result, 'Deployment', 'langfuse-web').spec as Record<string, any>;
    assert.deepEqual(web.strategy, {
      type: 'RollingUpdate',
      rollingUpdate: { maxSurge: '25%', maxUnavailable: 1 },
    });
    assert.equal(web.minReadySeconds, 30);
    assert.deepEqual((find(result, 'Deployment', 'langfuse-worker').spec as Record<string, any>).strategy, {
      type: 'Recreate',
    });
  });

  test('a bad strategy is a values error naming the path', async () => {
    await assert.rejects(
      renderExample('langfuse', [], ['services.web.strategy.type=Surge']),
      /values services\.web\.strategy\.type:/,
    );
  });
});

describe('security exceptions', () => {
  const sandbox: ComponentSpec = {
    ...base,
    name: 'sandbox',
    containers: [
      {
        ...base.containers[0]!,
        name: 'sandbox',
        securityException: {
          reason: 'chroots into a jail and drops to an unprivileged uid per run',
          runAsRoot: true,
          addCapabilities: ['SYS_CHROOT', 'SETUID', 'SETGID'],
        },
      },
    ],
  };

  test('grants exactly what is declared and nothing to containers without one', () => {
    const context = containerSecurityContext(sandbox.containers[0]!);
    assert.deepEqual(context.capabilities, { add: ['SYS_CHROOT', 'SETUID', 'SETGID'], drop: ['ALL'] });
    assert.equal(context.runAsNonRoot, false);
    assert.equal(context.runAsUser, 0);
    assert.equal(context.allowPrivilegeEscalation, false);
    assert.equal(context.privileged, undefined);
    assert.equal(podSecurityContext(sandbox).runAsNonRoot, false);
    assert.equal(containerSecurityContext(base.containers[0]!).runAsNonRoot, true);
    assert.equal(podSecurityContext(base).runAsNonRoot, true);
  });

  test('is reported with its reason', () => {
    assert.deepEqual(securityExceptionNotes(sandbox), [
      'sandbox/sandbox: security exception (runs as root; capabilities SYS_CHROOT, SETUID, SETGID): chroots into a jail and drops to an unprivileged uid per run',
    ]);
  });
});

describe('environment', () => {
  test("a user's extraEnv value replaces the blueprint's in place instead of duplicating it", async () => {
    const plain = podSpec(find(await renderExample('langfuse', []), 'Deployment', 'langfuse-web'));
    const names = plain.containers[0].env.map((e: { name: string }) => e.name);
    const result = await renderExample(
      'langfuse',
      [],
      ['services.web.extraEnv[0].name=NEXTAUTH_URL', 'services.web.extraEnv[0].value=https://mine.example'],
    );
    const web = find(result, 'Deployment', 'langfuse-web');
    assert.equal(envOf(web).NEXTAUTH_URL, 'https://mine.example');
    assert.deepEqual(
      podSpec(web).containers[0].env.map((e: { name: string }) => e.name),
      names,
    );
  });
});
