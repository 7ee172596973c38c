/** An application component driven by `services.<name>.*`: replicas, scheduling and scaling come from its values. */
import type { ComponentSpec } from '../../render/model.ts';
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
    ...rest,
  };
}
