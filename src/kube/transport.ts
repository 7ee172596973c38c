/**
 * The HTTP layer under KubeClient. It reuses @kubernetes/client-node for what it does well
 * (kubeconfig auth and TLS, the discovery cache of KubernetesObjectApi) but sends and receives
 * plain JSON: the library's model (de)serialisation drops fields it does not know and turns
 * timestamps into Dates, which would corrupt server-side apply bodies and diffs.
 */
import {
  HttpMethod,
  type KubeConfig,
  type KubernetesObject,
  KubernetesObjectApi,
  type ResponseContext,
} from '@kubernetes/client-node';
import { KubeconfigError } from './errors.ts';
import { HttpStatusError, parseRetryAfter, parseStatus, UnknownKindSignal } from './status.ts';

/** What discovery says about a kind: its REST resource name and whether it lives in a namespace. */
export interface ResourceInfo {
  readonly plural: string;
  readonly namespaced: boolean;
}

export type QueryValue = string | number | boolean | undefined;

export interface RawRequest {
  readonly method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  readonly path: string;
  readonly query?: Readonly<Record<string, QueryValue>>;
  readonly body?: unknown;
  readonly contentType?: string;
  /** @default 'application/json' */
  readonly accept?: string;
}

/** Where an object or a collection lives. */
export interface PathTarget {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name?: string | undefined;
  readonly namespace?: string | undefined;
}

/** KubernetesObjectApi with raw JSON in and out; discovery results are cached by the parent class. */
export class RawKubeApi extends KubernetesObjectApi {
  /** Builds the transport for the kubeconfig's current context. */
  static forConfig(kubeConfig: KubeConfig, defaultNamespace: string): RawKubeApi {
    const api = kubeConfig.makeApiClient(RawKubeApi);
    api.defaultNamespace = defaultNamespace;
    api.server = kubeConfig.getCurrentCluster()?.server ?? '';
    api.execCommand = kubeConfig.getCurrentUser()?.exec?.command;
    return api;
  }

  private server = '';
  private execCommand: string | undefined;

  /**
   * Failures before a request leaves: the exec credential plugin cannot run or fails, or the URL's
   * port is one fetch refuses. They are kubeconfig problems, not bugs; everything else passes on.
   */
  private kubeconfigProblem(err: unknown): unknown {
    if (err instanceof HttpStatusError || err instanceof UnknownKindSignal) return err;
    const error = err as NodeJS.ErrnoException & { cause?: { message?: string } };
    if (this.execCommand && typeof error.syscall === 'string' && error.syscall.startsWith('spawn')) {
      return new KubeconfigError(
        `the kubeconfig's exec credential plugin ${this.execCommand} cannot be run: ${error.code === 'ENOENT' ? 'not found' : error.code}`,
        'install the plugin (or put it on PATH), or pick a context that does not need it',
        err,
      );
    }
    if (error.cause?.message === 'bad port') {
      return new KubeconfigError(
        `the API server URL ${this.server} uses a port that Node's HTTP client refuses (reserved for another protocol)`,
        'use the port the API server listens on (often 6443 or 443)',
        err,
      );
    }
    if (this.execCommand && !error.cause && !error.code && err instanceof Error) {
      const detail = err.message.replace(/^Failed to fetch resource metadata for \S+: /, '').trim();
      return new KubeconfigError(
        `the kubeconfig's exec credential plugin ${this.execCommand} failed: ${detail.split('\n')[0] || 'no output'}`,
        'run the plugin by hand to see why (kubectl does the same), or pick another context',
        err,
      );
    }
    return err;
  }

  get namespace(): string {
    return this.defaultNamespace;
  }

  /** Discovery (cached): plural and scope of apiVersion/kind; a kind the cluster does not serve throws UnknownKindSignal. */
  async resourceInfo(apiVersion: string, kind: string): Promise<ResourceInfo> {
    let resource: Awaited<ReturnType<KubernetesObjectApi['resource']>>;
    try {
      resource = await this.resource(apiVersion, kind);
    } catch (err) {
      if (err instanceof HttpStatusError && err.status === 404) throw new UnknownKindSignal(apiVersion, kind);
      throw this.kubeconfigProblem(err);
    }
    if (!resource) throw new UnknownKindSignal(apiVersion, kind);
    return { plural: resource.name, namespaced: resource.namespaced };
  }

  /**
   * The REST path of an object (with a name) or a collection (without). A namespaced kind without
   * a namespace means the default namespace for an object and all namespaces for a collection.
   */
  async pathOf(target: PathTarget): Promise<string> {
    const { plural, namespaced } = await this.resourceInfo(target.apiVersion, target.kind);
    const root = target.apiVersion.includes('/') ? `/apis/${target.apiVersion}` : `/api/${target.apiVersion}`;
    const namespace = namespaced
      ? (target.namespace ?? (target.name ? this.defaultNamespace : undefined))
      : undefined;
    const parts = [root];
    if (namespace) parts.push('namespaces', encodeURIComponent(namespace));
    parts.push(plural);
    if (target.name) parts.push(encodeURIComponent(target.name));
    return parts.join('/');
  }

  /** Sends one request; resolves with the parsed JSON body, rejects with HttpStatusError on a non-2xx answer. */
  async send(request: RawRequest): Promise<unknown> {
    const context = this.configuration.baseServer.makeRequestContext(
      request.path,
      HttpMethod[request.method],
    );
    context.setHeaderParam('Accept', request.accept ?? 'application/json');
    for (const [key, value] of Object.entries(request.query ?? {})) {
      if (value !== undefined) context.setQueryParam(key, String(value));
    }
    if (request.body !== undefined) {
      context.setHeaderParam('Content-Type', request.contentType ?? 'application/json');
      context.setBody(JSON.stringify(request.body));
    }
    try {
      return await this.requestPromise(context);
    } catch (err) {
      throw this.kubeconfigProblem(err);
    }
  }

  protected override async processResponse<T extends KubernetesObject>(
    response: ResponseContext,
  ): Promise<T> {
    const text = await response.body.text();
    if (response.httpStatusCode >= 200 && response.httpStatusCode <= 299) {
      return (text ? JSON.parse(text) : undefined) as T;
    }
    const status = parseStatus(text);
    const retryAfterSeconds = status?.details?.retryAfterSeconds;
    const retryAfterMs =
      parseRetryAfter(response.headers['retry-after']) ??
      (retryAfterSeconds === undefined ? undefined : retryAfterSeconds * 1000);
    throw new HttpStatusError(response.httpStatusCode, status, retryAfterMs);
  }
}
