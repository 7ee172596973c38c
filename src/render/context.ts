import type {
  GlobalValues,
  IngressValues,
  MonitoringValues,
  NetworkPolicyValues,
  PatchValues,
} from '../values/vocabulary/index.ts';

/** Settings every blueprint's values carry at the top level. */
export interface CommonValues {
  readonly global: GlobalValues;
  readonly ingress: IngressValues;
  readonly monitoring: MonitoringValues;
  readonly networkPolicy: NetworkPolicyValues;
  readonly extraObjects?: readonly Record<string, unknown>[];
  readonly patches?: readonly PatchValues[];
}

export interface BlueprintIdentity {
  readonly name: string;
  readonly version: string;
  readonly appVersion: string;
}

/** Everything a blueprint and the policies need to know about the release being rendered. */
export interface RenderContext {
  readonly release: string;
  readonly namespace: string;
  readonly blueprint: BlueprintIdentity;
  readonly common: CommonValues;
}

/** `<release>-<component>`: the name of a component's objects. */
export function objectName(ctx: RenderContext, component: string): string {
  return `${ctx.release}-${component}`;
}
