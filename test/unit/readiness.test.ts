import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { relevantEvents } from '../../src/kube/diagnose.ts';
import {
  formatPodProblem,
  type Readiness,
  readinessOf,
  ruleFor,
  summarisePodProblems,
} from '../../src/kube/readiness/index.ts';
import type { LiveObject } from '../../src/kube/types.ts';

function live(apiVersion: string, kind: string, fields: Record<string, unknown>, metadata = {}): LiveObject {
  return {
    apiVersion,
    kind,
    metadata: { name: 'web', namespace: 'shop', generation: 1, ...metadata },
    ...fields,
  };
}

const deployment = (spec: object, status: object, generation = 1) =>
  live('apps/v1', 'Deployment', { spec, status }, { generation });
const statefulSet = (spec: object, status: object) => live('apps/v1', 'StatefulSet', { spec, status });
const job = (spec: object, status: object) => live('batch/v1', 'Job', { spec, status });
const pod = (status: object, name = 'web-7f9c') => live('v1', 'Pod', { spec: {}, status }, { name });

function expectState(actual: Readiness, done: boolean, ok: boolean, message: string): void {
  assert.deepEqual({ done: actual.done, ok: actual.ok, message: actual.message }, { done, ok, message });
}

describe('Deployment', () => {
  test('ready when every replica is updated and available', () => {
    const d = deployment(
      { replicas: 3 },
      { observedGeneration: 1, replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3 },
    );
    expectState(readinessOf(d), true, true, '3/3 pods ready');
  });
  test('waits while the controller has not observed the new generation', () => {
    const d = deployment(
      { replicas: 3 },
      { observedGeneration: 1, replicas: 3, updatedReplicas: 3, availableReplicas: 3 },
      2,
    );
    expectState(readinessOf(d), false, false, 'waiting for the controller to observe generation 2');
  });
  test('counts available pods', () => {
    const d = deployment(
      { replicas: 3 },
      { observedGeneration: 1, replicas: 3, updatedReplicas: 3, availableReplicas: 2 },
    );
    expectState(readinessOf(d), false, false, '2/3 pods ready');
  });
  test('waits for updated replicas', () => {
    const d = deployment(
      { replicas: 3 },
      { observedGeneration: 1, replicas: 4, updatedReplicas: 1, availableReplicas: 3 },
    );
    expectState(readinessOf(d), false, false, 'waiting for rollout: 1/3 pods updated');
  });
  test('waits for old replicas to terminate', () => {
    const d = deployment(
      { replicas: 3 },
      { observedGeneration: 1, replicas: 4, updatedReplicas: 3, availableReplicas: 3 },
    );
    expectState(readinessOf(d), false, false, 'waiting for rollout: 1 old replica pending termination');
  });
  test('replicas default to 1', () => {
    const d = deployment(
      {},
      { observedGeneration: 1, replicas: 1, updatedReplicas: 1, availableReplicas: 1 },
    );
    expectState(readinessOf(d), true, true, '1/1 pods ready');
  });
  test('scaled to zero is ready', () => {
    expectState(
      readinessOf(deployment({ replicas: 0 }, { observedGeneration: 1 })),
      true,
      true,
      'scaled to 0 replicas',
    );
  });
  test('ProgressDeadlineExceeded is a failure', () => {
    const d = deployment(
      { replicas: 2 },
      {
        observedGeneration: 1,
        replicas: 2,
        updatedReplicas: 1,
        conditions: [
          {
            type: 'Progressing',
            status: 'False',
            reason: 'ProgressDeadlineExceeded',
            message: 'ReplicaSet "web-7f9c" has timed out progressing.',
          },
        ],
      },
    );
    expectState(
      readinessOf(d),
      true,
      false,
      'rollout stuck: progress deadline exceeded (ReplicaSet "web-7f9c" has timed out progressing.)',
    );
  });
  test('ReplicaFailure marks the wait as failing', () => {
    const d = deployment(
      { replicas: 2 },
      {
        observedGeneration: 1,
        replicas: 0,
        updatedReplicas: 0,
        conditions: [
          {
            type: 'ReplicaFailure',
            status: 'True',
            reason: 'FailedCreate',
            message: 'exceeded quota: compute',
          },
        ],
      },
    );
    const r = readinessOf(d);
    expectState(
      r,
      false,
      false,
      'waiting for rollout: 0/2 pods updated (FailedCreate: exceeded quota: compute)',
    );
    assert.equal(r.failing, true);
  });
});

describe('StatefulSet', () => {
  const base = { observedGeneration: 1, replicas: 3, readyReplicas: 3, updatedReplicas: 3 };
  test('ready when all pods are ready at the update revision', () => {
    const s = statefulSet({ replicas: 3 }, { ...base, currentRevision: 'web-2', updateRevision: 'web-2' });
    expectState(readinessOf(s), true, true, '3/3 pods ready');
  });
  test('waits for pods to be ready', () => {
    const s = statefulSet({ replicas: 3 }, { ...base, readyReplicas: 1 });
    expectState(readinessOf(s), false, false, '1/3 pods ready');
  });
  test('waits while revisions differ', () => {
    const s = statefulSet(
      { replicas: 3 },
      { ...base, updatedReplicas: 1, currentRevision: 'web-1', updateRevision: 'web-2' },
    );
    expectState(readinessOf(s), false, false, 'waiting for rollout: 1/3 pods at revision web-2');
  });
  test('with a partition only ordinals ≥ partition must be updated', () => {
    const spec = { replicas: 3, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 2 } } };
    const partial = statefulSet(spec, {
      ...base,
      updatedReplicas: 0,
      currentRevision: 'web-1',
      updateRevision: 'web-2',
    });
    expectState(
      readinessOf(partial),
      false,
      false,
      'waiting for partitioned rollout: 0/1 pods from ordinal 2 updated',
    );
    const done = statefulSet(spec, {
      ...base,
      updatedReplicas: 1,
      currentRevision: 'web-1',
      updateRevision: 'web-2',
    });
    expectState(
      readinessOf(done),
      true,
      true,
      '3/3 pods ready; partitioned rollout done (1 pod from ordinal 2 updated)',
    );
  });
  test('a partition beyond the replicas needs no update at all', () => {
    const spec = { replicas: 2, updateStrategy: { rollingUpdate: { partition: 5 } } };
    const s = statefulSet(spec, { ...base, replicas: 2, readyReplicas: 2, updatedReplicas: 0 });
    assert.equal(readinessOf(s).done, true);
  });
  test('OnDelete waits only for readiness', () => {
    const s = statefulSet(
      { replicas: 3, updateStrategy: { type: 'OnDelete' } },
      { ...base, updatedReplicas: 0, currentRevision: 'web-1', updateRevision: 'web-2' },
    );
    expectState(
      readinessOf(s),
      true,
      true,
      '3/3 pods ready (OnDelete: pods take a new spec only when deleted)',
    );
  });
});

describe('DaemonSet', () => {
  const ds = (status: object, spec: object = {}) => live('apps/v1', 'DaemonSet', { spec, status });
  test('ready when every scheduled pod is updated and available', () => {
    const d = ds({
      observedGeneration: 1,
      desiredNumberScheduled: 2,
      updatedNumberScheduled: 2,
      numberAvailable: 2,
    });
    expectState(readinessOf(d), true, true, '2/2 pods ready');
  });
  test('waits for the update', () => {
    const d = ds({
      observedGeneration: 1,
      desiredNumberScheduled: 2,
      updatedNumberScheduled: 1,
      numberAvailable: 2,
    });
    expectState(readinessOf(d), false, false, 'waiting for rollout: 1/2 pods updated');
  });
  test('waits for availability', () => {
    const d = ds({
      observedGeneration: 1,
      desiredNumberScheduled: 2,
      updatedNumberScheduled: 2,
      numberAvailable: 1,
    });
    expectState(readinessOf(d), false, false, '1/2 pods ready');
  });
  test('no matching node is ready', () => {
    expectState(readinessOf(ds({ observedGeneration: 1 })), true, true, 'no node matches: 0 pods scheduled');
  });
});

describe('Job', () => {
  test('Complete is ready', () => {
    const j = job({ completions: 1 }, { succeeded: 1, conditions: [{ type: 'Complete', status: 'True' }] });
    expectState(readinessOf(j), true, true, 'completed (1/1 succeeded)');
  });
  test('Failed with BackoffLimitExceeded names the retries', () => {
    const j = job(
      { backoffLimit: 3 },
      {
        failed: 4,
        conditions: [
          {
            type: 'Failed',
            status: 'True',
            reason: 'BackoffLimitExceeded',
            message: 'Job has reached the specified backoff limit',
          },
        ],
      },
    );
    expectState(readinessOf(j), true, false, 'Job failed: BackoffLimitExceeded (3 retries)');
  });
  test('the default backoff limit is 6', () => {
    const j = job({}, { conditions: [{ type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded' }] });
    assert.equal(readinessOf(j).message, 'Job failed: BackoffLimitExceeded (6 retries)');
  });
  test('DeadlineExceeded names the deadline', () => {
    const j = job(
      { activeDeadlineSeconds: 30 },
      { conditions: [{ type: 'FailureTarget', status: 'True', reason: 'DeadlineExceeded' }] },
    );
    expectState(readinessOf(j), true, false, 'Job failed: DeadlineExceeded (activeDeadlineSeconds 30)');
  });
  test('other failures quote the condition message', () => {
    const j = job(
      {},
      {
        conditions: [
          { type: 'Failed', status: 'True', reason: 'PodFailurePolicy', message: 'container exited 42' },
        ],
      },
    );
    assert.equal(readinessOf(j).message, 'Job failed: PodFailurePolicy (container exited 42)');
  });
  test('running reports progress and failed pods', () => {
    const j = job(
      { completions: 2, backoffLimit: 3 },
      { startTime: '2026-01-01T00:00:00Z', active: 1, succeeded: 1, failed: 1 },
    );
    expectState(readinessOf(j), false, false, 'running: 1/2 succeeded, 1 active, 1 failed (backoff limit 3)');
  });
  test('not started yet', () => {
    expectState(readinessOf(job({}, {})), false, false, 'waiting for the Job to start');
  });
  test('suspended', () => {
    expectState(
      readinessOf(job({ suspend: true }, {})),
      false,
      false,
      'suspended: no pod runs until the Job is resumed',
    );
  });
});

describe('PersistentVolumeClaim', () => {
  const pvc = (phase: string | undefined, spec: object = { storageClassName: 'standard' }) =>
    live('v1', 'PersistentVolumeClaim', { spec, status: phase ? { phase } : {} });
  test('Bound is ready', () => {
    const claim = pvc('Bound', { storageClassName: 'standard', volumeName: 'pvc-123' });
    expectState(readinessOf(claim), true, true, 'Bound to volume pvc-123');
  });
  test('Pending waits for a volume', () => {
    expectState(
      readinessOf(pvc('Pending')),
      false,
      false,
      'PVC Pending: waiting for volume (storage class standard)',
    );
    expectState(readinessOf(pvc(undefined, {})), false, false, 'PVC Pending: waiting for volume');
  });
  test('Pending with a WaitForFirstConsumer class counts as ready', () => {
    const r = readinessOf(pvc('Pending', { storageClassName: 'local' }), {
      waitForFirstConsumerClasses: new Set(['local']),
    });
    expectState(r, true, true, 'Pending until a pod uses it (storage class local is WaitForFirstConsumer)');
  });
  test('Lost is a failure', () => {
    expectState(readinessOf(pvc('Lost')), true, false, 'PVC Lost: its volume no longer exists');
  });
});

describe('Service', () => {
  const svc = (spec: object, status: object = {}) => live('v1', 'Service', { spec, status });
  test('ClusterIP is ready on create', () => {
    expectState(readinessOf(svc({ clusterIP: '10.0.0.7' })), true, true, 'ClusterIP 10.0.0.7');
    expectState(readinessOf(svc({ clusterIP: 'None' })), true, true, 'ClusterIP (headless)');
  });
  test('LoadBalancer is ready on create unless asked to wait for ingress', () => {
    assert.equal(readinessOf(svc({ type: 'LoadBalancer' })).done, true);
    expectState(
      readinessOf(svc({ type: 'LoadBalancer' }), { waitForLoadBalancer: true }),
      false,
      false,
      'LoadBalancer has no ingress yet',
    );
    const withIngress = svc({ type: 'LoadBalancer' }, { loadBalancer: { ingress: [{ ip: '203.0.113.9' }] } });
    expectState(
      readinessOf(withIngress, { waitForLoadBalancer: true }),
      true,
      true,
      'LoadBalancer ready at 203.0.113.9',
    );
  });
});

describe('Pod', () => {
  test('Ready condition', () => {
    expectState(
      readinessOf(pod({ phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] })),
      true,
      true,
      'ready',
    );
  });
  test('Succeeded is done', () => {
    expectState(readinessOf(pod({ phase: 'Succeeded' })), true, true, 'completed');
  });
  test('ImagePullBackOff is reported as failing, not as final', () => {
    const r = readinessOf(
      pod({
        phase: 'Pending',
        conditions: [
          { type: 'PodScheduled', status: 'True' },
          { type: 'Ready', status: 'False' },
        ],
        containerStatuses: [
          {
            name: 'web',
            ready: false,
            state: { waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image "web:1.2"' } },
          },
        ],
      }),
    );
    expectState(r, false, false, 'ImagePullBackOff (container web): Back-off pulling image "web:1.2"');
    assert.equal(r.failing, true);
  });
  test('CrashLoopBackOff mentions the last exit', () => {
    const r = readinessOf(
      pod({
        phase: 'Running',
        containerStatuses: [
          {
            name: 'web',
            ready: false,
            restartCount: 4,
            state: {
              waiting: { reason: 'CrashLoopBackOff', message: 'back-off 1m20s restarting failed container' },
            },
            lastState: { terminated: { exitCode: 1, reason: 'Error' } },
          },
        ],
      }),
    );
    assert.equal(
      r.message,
      'CrashLoopBackOff (container web): back-off 1m20s restarting failed container; last run ended Error (exit code 1), 4 restarts',
    );
  });
  test('Failed phase is final', () => {
    const r = readinessOf(
      pod({ phase: 'Failed', reason: 'Evicted', message: 'The node was low on resource: memory.' }),
    );
    expectState(r, true, false, 'Pod failed: Evicted: The node was low on resource: memory.');
  });
  test('unscheduled and starting pods wait', () => {
    expectState(readinessOf(pod({ phase: 'Pending' })), false, false, 'Pending: waiting to be scheduled');
    const starting = pod({
      phase: 'Pending',
      conditions: [{ type: 'PodScheduled', status: 'True' }],
      containerStatuses: [{ name: 'web', ready: false, state: { waiting: { reason: 'ContainerCreating' } } }],
    });
    expectState(readinessOf(starting), false, false, 'not ready: web');
  });
});

describe('HorizontalPodAutoscaler', () => {
  const hpa = (status: object) =>
    live('autoscaling/v2', 'HorizontalPodAutoscaler', { spec: { minReplicas: 2, maxReplicas: 5 }, status });
  test('ready on create, even before any metric', () => {
    expectState(readinessOf(hpa({})), true, true, 'created (min 2, max 5); no metrics read yet');
  });
  test('says when metrics are unavailable', () => {
    const r = readinessOf(
      hpa({
        conditions: [
          { type: 'AbleToScale', status: 'True', reason: 'SucceededGetScale' },
          {
            type: 'ScalingActive',
            status: 'False',
            reason: 'FailedGetResourceMetric',
            message: 'unable to get metrics for resource cpu',
          },
        ],
      }),
    );
    expectState(
      r,
      true,
      true,
      'created (min 2, max 5); scaling inactive: FailedGetResourceMetric: unable to get metrics for resource cpu',
    );
  });
  test('active', () => {
    const r = readinessOf(
      hpa({
        currentReplicas: 3,
        conditions: [
          { type: 'AbleToScale', status: 'True' },
          { type: 'ScalingActive', status: 'True' },
        ],
      }),
    );
    expectState(r, true, true, 'scaling active: 3 replicas (min 2, max 5)');
  });
});

describe('generic conditions rule', () => {
  const custom = (conditions: object[] | undefined, extra: object = {}) =>
    live('keda.sh/v1alpha1', 'ScaledObject', { status: conditions ? { conditions, ...extra } : undefined });
  test('Ready True is ready', () => {
    expectState(
      readinessOf(custom([{ type: 'Ready', status: 'True', message: 'ScaledObject is defined correctly' }])),
      true,
      true,
      'Ready: ScaledObject is defined correctly',
    );
  });
  test('Ready False waits', () => {
    expectState(
      readinessOf(custom([{ type: 'Ready', status: 'False', reason: 'ScaledObjectCheckFailed' }])),
      false,
      false,
      'Ready=False: ScaledObjectCheckFailed',
    );
  });
  test('Failed or Degraded True fails', () => {
    expectState(
      readinessOf(custom([{ type: 'Degraded', status: 'True', reason: 'Broken', message: 'no backend' }])),
      true,
      false,
      'Degraded: Broken: no backend',
    );
  });
  test('observedGeneration behind generation waits', () => {
    const r = readinessOf(custom([{ type: 'Ready', status: 'True' }], { observedGeneration: 0 }));
    assert.equal(r.message, 'waiting for the controller to observe generation 1');
  });
  test('unknown kinds without conditions are ready on create', () => {
    expectState(readinessOf(live('v1', 'ConfigMap', { data: {} })), true, true, 'ready on create');
    expectState(readinessOf(custom(undefined)), true, true, 'ready on create');
  });
  test('a custom kind named like a built-in is not judged as one', () => {
    assert.notEqual(ruleFor('example.com/v1', 'Deployment'), ruleFor('apps/v1', 'Deployment'));
  });
  test('an object being deleted is not ready', () => {
    const c = live('v1', 'ConfigMap', {}, { deletionTimestamp: '2026-01-01T00:00:00Z' });
    expectState(readinessOf(c), false, false, 'being deleted');
  });
});

describe('summarisePodProblems', () => {
  test('finds the failing pods and says why', () => {
    const pods = [
      pod({ phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] }, 'web-ok'),
      pod(
        {
          phase: 'Pending',
          containerStatuses: [
            {
              name: 'web',
              state: { waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image "web:9"' } },
            },
          ],
        },
        'web-7f9c',
      ),
      pod(
        {
          phase: 'Pending',
          conditions: [
            {
              type: 'PodScheduled',
              status: 'False',
              reason: 'Unschedulable',
              message: '0/3 nodes are available: 3 Insufficient memory.',
            },
          ],
        },
        'web-8a1d',
      ),
      pod(
        {
          phase: 'Running',
          containerStatuses: [
            {
              name: 'web',
              ready: false,
              restartCount: 2,
              state: { running: {} },
              lastState: { terminated: { reason: 'OOMKilled', exitCode: 137 } },
            },
          ],
        },
        'web-oom',
      ),
      pod(
        {
          phase: 'Pending',
          initContainerStatuses: [
            { name: 'migrate', state: { terminated: { exitCode: 2, reason: 'Error' } } },
          ],
        },
        'web-init',
      ),
    ];
    assert.deepEqual(summarisePodProblems(pods).map(formatPodProblem), [
      'pod web-7f9c (container web) ImagePullBackOff: Back-off pulling image "web:9"',
      'pod web-8a1d Unschedulable: 0/3 nodes are available: 3 Insufficient memory.',
      'pod web-oom (container web) OOMKilled: out of memory, 2 restarts',
      'pod web-init (container migrate) Error: init container exit code 2',
    ]);
  });
  test('healthy and starting pods have no problems', () => {
    const starting = pod({
      phase: 'Pending',
      containerStatuses: [{ name: 'web', state: { waiting: { reason: 'ContainerCreating' } } }],
    });
    assert.deepEqual(summarisePodProblems([starting]), []);
  });
});

describe('relevantEvents', () => {
  const event = (kind: string, name: string, reason: string, lastTimestamp: string, count = 1) =>
    live('v1', 'Event', {
      involvedObject: { kind, name },
      reason,
      message: `${reason} happened`,
      count,
      lastTimestamp,
    });
  test('picks events about the object and what its controller created, newest first, at most three', () => {
    const ref = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', namespace: 'shop' };
    const events = [
      event('Deployment', 'web', 'Old', '2026-01-01T00:00:01Z'),
      event('ReplicaSet', 'web-7f9c6d8b5', 'FailedCreate', '2026-01-01T00:00:05Z', 4),
      event('Pod', 'web-7f9c6d8b5-x2x4z', 'FailedScheduling', '2026-01-01T00:00:03Z'),
      event('Pod', 'web-api-7f9c6d8b5-x2x4z', 'NotOurs', '2026-01-01T00:00:09Z'),
      event('Deployment', 'web-api', 'NotOursEither', '2026-01-01T00:00:09Z'),
      event('Deployment', 'web', 'Recent', '2026-01-01T00:00:04Z'),
    ];
    assert.deepEqual(
      relevantEvents(ref, [], events).map((e) => `${e.object} ${e.reason} ${e.count}`),
      [
        'ReplicaSet/web-7f9c6d8b5 FailedCreate 4',
        'Deployment/web Recent 1',
        'Pod/web-7f9c6d8b5-x2x4z FailedScheduling 1',
      ],
    );
  });
  test('a Job’s pods count even after they are gone', () => {
    const ref = { apiVersion: 'batch/v1', kind: 'Job', name: 'migrate', namespace: 'shop' };
    const events = [event('Pod', 'migrate-abcde', 'FailedScheduling', '2026-01-01T00:00:03Z')];
    assert.equal(relevantEvents(ref, [], events)[0]?.reason, 'FailedScheduling');
  });
});
