/**
 * Typed errors of the Kubernetes adapter. Messages name the verb and the object and quote the API
 * server's own message, never headers or raw bodies:
 * `apply Deployment/web in shop: API server says: … (reason: Invalid)`.
 *
 * Exit codes: what the user can fix (invalid objects, missing permissions or credentials, a missing
 * namespace, fields owned by another manager, an unknown kind, a broken kubeconfig) is a user
 * error (1); everything the cluster or the network did to us (5xx, throttling, unreachable API
 * server, expired watches) is a runtime error (3).
 */
import { BerthError, ExitCode } from '../errors.ts';
import { describeRef } from './types.ts';

/** What berth was doing when the API server answered with an error. */
export type KubeVerb =
  | 'apply'
  | 'dry-run apply'
  | 'create'
  | 'get'
  | 'list'
  | 'delete'
  | 'patch'
  | 'watch'
  | 'get version';

/** The part of an object reference an error names. */
export interface ErrorTarget {
  readonly kind: string;
  readonly name?: string | undefined;
  readonly namespace?: string | undefined;
}

/** One entry of a Status' `details.causes`. */
export interface StatusCause {
  readonly type?: string;
  readonly message?: string;
  readonly field?: string;
}

/** The API server's `Status` object (the body of every error response). */
export interface ApiStatus {
  readonly kind?: string;
  readonly status?: string;
  readonly message?: string;
  readonly reason?: string;
  readonly code?: number;
  readonly details?: {
    readonly name?: string;
    readonly group?: string;
    readonly kind?: string;
    readonly causes?: readonly StatusCause[];
    readonly retryAfterSeconds?: number;
  };
}

/** `Deployment/web in shop`, or `Deployment in shop` for collections. */
export function describeTarget(target: ErrorTarget): string {
  if (target.name) return describeRef({ kind: target.kind, name: target.name, namespace: target.namespace });
  return target.namespace ? `${target.kind} in ${target.namespace}` : target.kind;
}

export interface KubeApiErrorDetails {
  readonly verb: KubeVerb;
  readonly target: ErrorTarget;
  /** HTTP status code. */
  readonly status: number;
  /** The Status' machine-readable reason (`Invalid`, `Forbidden`, `Conflict`, …), if any. */
  readonly reason: string | undefined;
  /** The API server's human message (or the HTTP status text when there was no Status body). */
  readonly apiMessage: string;
  readonly causes: readonly StatusCause[];
}

/** An error response from the API server. */
export class KubeApiError extends BerthError {
  readonly verb: KubeVerb;
  readonly kind: string;
  readonly objectName: string | undefined;
  readonly namespace: string | undefined;
  readonly status: number;
  readonly reason: string | undefined;
  readonly apiMessage: string;
  readonly causes: readonly StatusCause[];

  constructor(
    code: string,
    details: KubeApiErrorDetails,
    options: { message?: string; hint?: string; exitCode?: ExitCode; cause?: unknown } = {},
  ) {
    const reason = details.reason ? ` (reason: ${details.reason})` : '';
    const message =
      options.message ??
      `${details.verb} ${describeTarget(details.target)}: API server says: ${details.apiMessage}${reason}`;
    super(code, message, {
      exitCode: options.exitCode ?? ExitCode.runtime,
      ...(options.hint === undefined ? {} : { hint: options.hint }),
      cause: options.cause,
    });
    this.name = 'KubeApiError';
    this.verb = details.verb;
    this.kind = details.target.kind;
    this.objectName = details.target.name;
    this.namespace = details.target.namespace;
    this.status = details.status;
    this.reason = details.reason;
    this.apiMessage = details.apiMessage;
    this.causes = details.causes;
  }

  /** The same refusal with another hint (an action knows the better next step). */
  withHint(hint: string): KubeApiError {
    const { verb, kind, objectName: name, namespace, status, reason, apiMessage, causes } = this;
    return new KubeApiError(
      this.code,
      { verb, target: { kind, name, namespace }, status, reason, apiMessage, causes },
      { message: this.message, exitCode: this.exitCode, hint, cause: this },
    );
  }
}

/** A field another field manager owns, as server-side apply reports it. */
export interface FieldConflict {
  /** Field path, e.g. `.spec.replicas`. */
  readonly field: string;
  /** The manager that owns it, e.g. `kubectl-edit`. */
  readonly manager: string;
  /** The rest of the server's description (`using apps/v1 at …`, subresource), if any. */
  readonly detail?: string;
}

/** Server-side apply refused because fields are owned by another field manager (HTTP 409). */
export class ApplyConflictError extends KubeApiError {
  readonly conflicts: readonly FieldConflict[];

  constructor(details: KubeApiErrorDetails, conflicts: readonly FieldConflict[]) {
    const lines = conflicts.map((c) => `  conflict on ${c.field} with manager ${c.manager}`);
    const count = conflicts.length === 1 ? '1 field is' : `${conflicts.length} fields are`;
    super('BERTH_APPLY_CONFLICT', details, {
      message: `${details.verb} ${describeTarget(details.target)}: ${count} owned by another manager:\n${lines.join('\n')}`,
      hint: 'another tool changed these fields since berth applied them; apply with force to take them back, or stop the other tool from managing them',
      exitCode: ExitCode.userError,
    });
    this.name = 'ApplyConflictError';
    this.conflicts = conflicts;
  }
}

const TLS_TRUST = /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)/;

function explainConnectionCode(code: string | undefined): string | undefined {
  if (code === undefined) return undefined;
  if (code === 'ECONNREFUSED') return 'nothing listens there';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'the host name does not resolve';
  if (code === 'ETIMEDOUT' || code === 'UND_ERR_CONNECT_TIMEOUT') return 'no answer in time';
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return 'no route to the host';
  if (/^ERR_OSSL|KEY|PEM/.test(code)) return "the kubeconfig's client certificate or key cannot be used";
  if (TLS_TRUST.test(code)) return "the server's certificate is not trusted";
  if (code === 'UND_ERR_SOCKET' || code === 'ECONNRESET' || code === 'EPIPE')
    return 'the connection was closed (is the URL http:// where the server speaks https://?)';
  return undefined;
}

/** The API server could not be reached (refused, reset, timed out, TLS failure), even after retries. */
export class KubeConnectionError extends BerthError {
  readonly verb: KubeVerb;
  readonly server: string;
  /** The system error code (`ECONNREFUSED`, `CERT_HAS_EXPIRED`, …), if known. */
  readonly errorCode: string | undefined;

  constructor(
    verb: KubeVerb,
    target: ErrorTarget,
    server: string,
    errorCode: string | undefined,
    cause: unknown,
  ) {
    const why = errorCode ?? (cause instanceof Error ? cause.message : String(cause));
    const credentials = errorCode !== undefined && /^ERR_OSSL|KEY|PEM/.test(errorCode);
    const explained = explainConnectionCode(errorCode);
    super(
      'BERTH_KUBE_UNREACHABLE',
      `${verb} ${describeTarget(target)}: cannot reach the API server at ${server}: ${explained ? `${explained} (${why})` : why}`,
      {
        hint: credentials
          ? "the kubeconfig's client certificate or key is not usable: check client-certificate(-data) and client-key(-data)"
          : errorCode !== undefined && TLS_TRUST.test(errorCode)
            ? "the server's certificate is not signed by the kubeconfig's certificate-authority: check certificate-authority(-data)"
            : 'is the cluster running and is the kubeconfig context the right one? (kubectl cluster-info)',
        // A client key that cannot be used is a broken kubeconfig, which the user fixes.
        exitCode: credentials ? ExitCode.userError : ExitCode.runtime,
        cause,
      },
    );
    this.name = 'KubeConnectionError';
    this.verb = verb;
    this.server = server;
    this.errorCode = errorCode;
  }
}

/** The cluster does not serve this apiVersion/kind (typically a CRD that is not installed). */
export class KubeUnknownKindError extends BerthError {
  readonly apiVersion: string;
  readonly kind: string;

  constructor(verb: KubeVerb, target: ErrorTarget, apiVersion: string) {
    super(
      'BERTH_KUBE_UNKNOWN_KIND',
      `${verb} ${describeTarget(target)}: the cluster does not serve ${apiVersion} ${target.kind}`,
      {
        hint: 'install the CustomResourceDefinition (or operator) that defines it, or turn off the feature that renders it',
        exitCode: ExitCode.userError,
      },
    );
    this.name = 'KubeUnknownKindError';
    this.apiVersion = apiVersion;
    this.kind = target.kind;
  }
}

/** The kubeconfig could not be found, read or used. */
export class KubeconfigError extends BerthError {
  constructor(message: string, hint: string, cause?: unknown) {
    super('BERTH_KUBECONFIG', message, { hint, exitCode: ExitCode.userError, cause });
    this.name = 'KubeconfigError';
  }
}
