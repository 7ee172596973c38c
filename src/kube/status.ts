/**
 * Turns what the transport throws (error responses, socket errors) into the adapter's typed errors.
 */
import { STATUS_CODES } from 'node:http';
import { BerthError, ExitCode } from '../errors.ts';
import {
  type ApiStatus,
  ApplyConflictError,
  describeTarget,
  type ErrorTarget,
  type FieldConflict,
  KubeApiError,
  type KubeApiErrorDetails,
  KubeConnectionError,
  KubeUnknownKindError,
  type KubeVerb,
} from './errors.ts';

/** A non-2xx response. Thrown by the transport, caught by the retry loop and `toKubeError`. */
export class HttpStatusError extends Error {
  readonly status: number;
  /** The parsed Status, when the body was one. */
  readonly body: ApiStatus | undefined;
  /** From the Retry-After header or the Status' `details.retryAfterSeconds`. */
  readonly retryAfterMs: number | undefined;

  constructor(status: number, body: ApiStatus | undefined, retryAfterMs: number | undefined) {
    super(`HTTP ${status}${body?.message ? `: ${body.message}` : ''}`);
    this.name = 'HttpStatusError';
    this.status = status;
    this.body = body;
    this.retryAfterMs = retryAfterMs;
  }
}

/** Discovery found no resource for apiVersion/kind. Thrown by the transport. */
export class UnknownKindSignal extends Error {
  readonly apiVersion: string;
  readonly kind: string;

  constructor(apiVersion: string, kind: string) {
    super(`the cluster does not serve ${apiVersion} ${kind}`);
    this.name = 'UnknownKindSignal';
    this.apiVersion = apiVersion;
    this.kind = kind;
  }
}

/** Parses a response body as a Status; anything else (HTML from a proxy, plain text) gives undefined. */
export function parseStatus(text: string | undefined): ApiStatus | undefined {
  if (!text) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as ApiStatus;
  } catch {
    // not JSON
  }
  return undefined;
}

/** Retry-After is either delay-seconds or an HTTP date. */
export function parseRetryAfter(header: string | undefined, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

const conflictPattern = /^conflict with "((?:[^"\\]|\\.)*)"\s*(.*)$/s;

function unquote(goQuoted: string): string {
  try {
    return JSON.parse(`"${goQuoted}"`) as string;
  } catch {
    return goQuoted;
  }
}

/**
 * Reads the conflicting fields of a server-side apply 409 from the Status' `details.causes`
 * (`{type: FieldManagerConflict, field: ".spec.replicas", message: "conflict with \"kubectl-edit\" using apps/v1"}`).
 */
export function parseConflicts(status: ApiStatus | undefined): FieldConflict[] {
  const conflicts: FieldConflict[] = [];
  for (const cause of status?.details?.causes ?? []) {
    if (cause.type !== undefined && cause.type !== 'FieldManagerConflict') continue;
    const match = conflictPattern.exec(cause.message ?? '');
    if (!match) continue;
    const detail = match[2]?.trim();
    conflicts.push({
      field: cause.field || '(unknown field)',
      manager: unquote(match[1] ?? ''),
      ...(detail ? { detail } : {}),
    });
  }
  return conflicts;
}

/**
 * Server-side apply answers 500 when the object does not fit the schema ("failed to create typed
 * patch object … field not declared in schema"): the object is wrong, not the server.
 */
function isSchemaRejection(err: HttpStatusError): boolean {
  return err.status === 500 && /failed to create typed (patch|live) object/.test(err.body?.message ?? '');
}

/** Error codes (`err.code`) that mean the connection failed, not the request. */
const connectionCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ENOTFOUND',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

/** Of those, the ones worth another try (a DNS name that does not exist will not appear). */
const transientConnectionCodes = new Set([...connectionCodes].filter((code) => code !== 'ENOTFOUND'));

const tlsCodePattern = /CERT|SELF_SIGNED|TLS|SSL|UNABLE_TO_(GET|VERIFY)|ERR_OSSL/;

/** The first `code` (or a recognised message) along the error's cause chain. */
export function connectionErrorCode(err: unknown): string | undefined {
  let current: unknown = err;
  for (let depth = 0; current && typeof current === 'object' && depth < 5; depth++) {
    const { code, message } = current as { code?: unknown; message?: unknown };
    if (typeof code === 'string' && (connectionCodes.has(code) || tlsCodePattern.test(code))) return code;
    if (typeof message === 'string' && /socket hang up|other side closed/i.test(message)) return 'ECONNRESET';
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Whether a failed request is worth retrying: throttling, a 5xx gateway/availability error, a dropped connection. */
export function isRetryable(err: unknown): boolean {
  if (err instanceof HttpStatusError) {
    return [429, 500, 502, 503, 504].includes(err.status) && !isSchemaRejection(err);
  }
  const code = connectionErrorCode(err);
  return code !== undefined && transientConnectionCodes.has(code);
}

/**
 * A server-side apply answered 409 without naming fields another manager owns: the object changed
 * while the server stored it ("the object has been modified"). Applying again is safe, unless the
 * apply carried a resourceVersion of its own (a compare-and-swap, where 409 means "lost").
 */
export function isRetryableApplyConflict(err: unknown): boolean {
  return err instanceof HttpStatusError && err.status === 409 && parseConflicts(err.body).length === 0;
}

/**
 * For requests that are not idempotent (create): retry only what certainly did not reach the API
 * server's storage (throttling, a refused connection), never a 5xx or a reset after sending.
 */
export function isRetryableBeforeProcessing(err: unknown): boolean {
  if (err instanceof HttpStatusError) return err.status === 429;
  return connectionErrorCode(err) === 'ECONNREFUSED';
}

interface StatusClass {
  readonly code: string;
  readonly exitCode: ExitCode;
  readonly hint?: (details: KubeApiErrorDetails) => string | undefined;
}

const namespaceMissing = /namespaces? "([^"]+)" not found/;

function classify(status: number): StatusClass {
  switch (status) {
    case 400:
    case 422:
      return {
        code: 'BERTH_KUBE_INVALID',
        exitCode: ExitCode.userError,
        hint: () => 'the API server rejected the object; check the values that produce the fields it names',
      };
    case 403:
      return {
        code: 'BERTH_KUBE_FORBIDDEN',
        exitCode: ExitCode.userError,
        hint: (d) =>
          `the kubeconfig user may not ${d.verb} ${d.target.kind}; check with kubectl auth can-i${d.target.namespace ? ` -n ${d.target.namespace}` : ''}`,
      };
    case 404:
      return {
        code: 'BERTH_KUBE_NOT_FOUND',
        exitCode: ExitCode.userError,
        hint: (d) => {
          const ns = namespaceMissing.exec(d.apiMessage)?.[1];
          return ns ? `create the namespace ${ns} first` : undefined;
        },
      };
    case 409:
      return { code: 'BERTH_KUBE_CONFLICT', exitCode: ExitCode.userError };
    default:
      return { code: 'BERTH_KUBE_API', exitCode: ExitCode.runtime };
  }
}

/** Where the error happened, for the message. */
export interface ErrorContext {
  readonly verb: KubeVerb;
  readonly target: ErrorTarget;
  /** The API server URL, for connection errors. */
  readonly server: string;
}

/**
 * Answers that say the connection itself is wrong rather than the request: plain HTTP to an HTTPS
 * port (the server answers 400 with text, not a Status) and credentials the server does not accept.
 * Their messages name the server, since the fix is in the kubeconfig's cluster or user.
 */
function connectionRefusal(
  err: HttpStatusError,
  context: ErrorContext,
): { code: string; message: string; hint: string; exitCode: ExitCode } | undefined {
  const where = `${context.verb} ${describeTarget(context.target)}`;
  if (err.status === 400 && err.body === undefined && context.server.startsWith('http://')) {
    return {
      code: 'BERTH_KUBE_PLAIN_HTTP',
      message: `${where}: the API server at ${context.server} speaks HTTPS, not plain HTTP`,
      hint: "use https:// in the kubeconfig's server URL",
      exitCode: ExitCode.runtime,
    };
  }
  if (err.status === 401) {
    return {
      code: 'BERTH_KUBE_UNAUTHORIZED',
      message: `${where}: the API server at ${context.server} rejected the kubeconfig's credentials (Unauthorized)`,
      hint: 'a client certificate from a CA the server does not trust, or an expired token: log in again or pick another context',
      exitCode: ExitCode.userError,
    };
  }
  return undefined;
}

/** Builds the typed error for an HTTP error response. */
export function apiErrorFromStatus(err: HttpStatusError, context: ErrorContext): KubeApiError {
  const body = err.body;
  const details: KubeApiErrorDetails = {
    verb: context.verb,
    target: context.target,
    status: err.status,
    reason: body?.reason || undefined,
    apiMessage: body?.message || `HTTP ${err.status} ${STATUS_CODES[err.status] ?? ''}`.trim(),
    causes: body?.details?.causes ?? [],
  };
  const refusal = connectionRefusal(err, context);
  if (refusal) return new KubeApiError(refusal.code, details, { ...refusal, cause: err });
  if (err.status === 409 && context.verb.endsWith('apply')) {
    const conflicts = parseConflicts(body);
    if (conflicts.length > 0) return new ApplyConflictError(details, conflicts);
  }
  const { code, exitCode, hint } = classify(isSchemaRejection(err) ? 422 : err.status);
  const hintText = hint?.(details);
  return new KubeApiError(code, details, { exitCode, ...(hintText ? { hint: hintText } : {}), cause: err });
}

/**
 * Maps anything a request threw to a typed error. BerthErrors pass through; errors that are none
 * of the known kinds are returned unchanged (they are bugs, and main reports them as such).
 */
export function toKubeError(err: unknown, context: ErrorContext): unknown {
  if (err instanceof BerthError) return err;
  if (err instanceof HttpStatusError) return apiErrorFromStatus(err, context);
  if (err instanceof UnknownKindSignal)
    return new KubeUnknownKindError(context.verb, context.target, err.apiVersion);
  const code = connectionErrorCode(err);
  if (code !== undefined)
    return new KubeConnectionError(context.verb, context.target, context.server, code, err);
  return err;
}
