/**
 * The shapes the Kubernetes adapter speaks: references to objects and live objects as plain JSON
 * (never the client library's model classes, whose Date fields and dropped unknown fields would
 * leak into diffs and readiness rules).
 */

/** Names one object in the cluster. `namespace` is omitted for cluster-scoped kinds. */
export interface ObjectRef {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly namespace?: string | undefined;
}

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
}

export interface ManagedFieldsEntry {
  manager?: string;
  operation?: string;
  apiVersion?: string;
  time?: string;
  subresource?: string;
  fieldsType?: string;
  fieldsV1?: unknown;
}

export interface LiveMetadata {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  managedFields?: ManagedFieldsEntry[];
  [field: string]: unknown;
}

/** An object as the API server returns it: plain JSON. */
export interface LiveObject {
  apiVersion: string;
  kind: string;
  metadata: LiveMetadata;
  [field: string]: unknown;
}

/** What `apply` accepts: any object with apiVersion, kind and a name (e.g. render's KubeObject). */
export interface ApplicableObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string | undefined; [field: string]: unknown };
  [field: string]: unknown;
}

/** `Kind/name in namespace`, the way every message in berth names an object. */
export function describeRef(ref: Pick<ObjectRef, 'kind' | 'name' | 'namespace'>): string {
  return ref.namespace ? `${ref.kind}/${ref.name} in ${ref.namespace}` : `${ref.kind}/${ref.name}`;
}

/** The reference of an object (rendered or live). */
export function refOf(object: {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string | undefined };
}): ObjectRef {
  return {
    apiVersion: object.apiVersion,
    kind: object.kind,
    name: object.metadata.name,
    namespace: object.metadata.namespace,
  };
}
