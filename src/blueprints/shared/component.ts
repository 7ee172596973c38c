/** An application component driven by `services.<name>.*`: replicas, scheduling and scaling come from its values. */
import type { ComponentSpec, RolloutSpec } from '../../render/model.ts';
import type { ServiceValues } from '../../values/vocabulary/index.ts';

export function serviceComponent(
  name: string,
  service: ServiceValues,
  rest: Pick<ComponentSpec, 'stage' | 'containers'> & Partial<Omit<ComponentSpec, 'name'>>,
): ComponentSpec {
  return {
    name,
    kind: 'Deployment',
    replicas: service.replicas,
    scheduling: service,
    scaling: { autoscaling: service.autoscaling, podDisruptionBudget: service.podDisruptionBudget },
    rollout: rolloutOf(service),
    ...rest,
  };
}

/** The user's rollout settings of a component, in the render model's terms. */
export function rolloutOf(service: Pick<ServiceValues, 'strategy' | 'minReadySeconds'>): RolloutSpec {
  return {
    strategy: service.strategy?.type,
    maxSurge: service.strategy?.rollingUpdate?.maxSurge,
    maxUnavailable: service.strategy?.rollingUpdate?.maxUnavailable,
    minReadySeconds: service.minReadySeconds,
  };
}
