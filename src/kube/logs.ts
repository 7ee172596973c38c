/**
 * Pod logs (GET …/pods/<name>/log), which answer with plain text rather than JSON, so they get
 * their own small transport beside KubeClient's. Bounded by lines and bytes; errors are typed.
 */
import type { KubeConfig, KubernetesObject, ResponseContext } from '@kubernetes/client-node';
import { type KubeconfigOptions, loadKubeconfig } from './kubeconfig.ts';
import { HttpStatusError, parseStatus, toKubeError } from './status.ts';
import { RawKubeApi } from './transport.ts';

export interface LogQuery {
  readonly namespace: string;
  readonly pod: string;
  readonly container: string;
  /** The last lines only. @default 200 */
  readonly tailLines?: number;
  /** At most this many bytes. @default 262144 (256 KiB) */
  readonly limitBytes?: number;
  /** The previous (crashed) instance of the container. @default false */
  readonly previous?: boolean;
}

/** RawKubeApi whose successful answers are text, not JSON. */
class TextKubeApi extends RawKubeApi {
  static create(kubeConfig: KubeConfig, namespace: string): TextKubeApi {
    const api = kubeConfig.makeApiClient(TextKubeApi);
    api.defaultNamespace = namespace;
    return api;
  }

  protected override async processResponse<T extends KubernetesObject>(
    response: ResponseContext,
  ): Promise<T> {
    const text = await response.body.text();
    if (response.httpStatusCode >= 200 && response.httpStatusCode <= 299) return text as unknown as T;
    throw new HttpStatusError(response.httpStatusCode, parseStatus(text), undefined);
  }
}

export class PodLogReader {
  private readonly api: TextKubeApi;
  private readonly server: string;

  private constructor(api: TextKubeApi, server: string) {
    this.api = api;
    this.server = server;
  }

  /** Connects through the same kubeconfig rules as KubeClient.fromKubeconfig. */
  static fromKubeconfig(options: KubeconfigOptions = {}): PodLogReader {
    const loaded = loadKubeconfig(options);
    return new PodLogReader(TextKubeApi.create(loaded.kubeConfig, loaded.namespace), loaded.server);
  }

  /** The container's recent log; throws KubeApiError (403, 404, 5xx when the kubelet is unreachable). */
  async read(query: LogQuery): Promise<string> {
    const path = `/api/v1/namespaces/${encodeURIComponent(query.namespace)}/pods/${encodeURIComponent(query.pod)}/log`;
    try {
      return (await this.api.send({
        method: 'GET',
        path,
        accept: '*/*',
        query: {
          container: query.container,
          tailLines: query.tailLines ?? 200,
          limitBytes: query.limitBytes ?? 256 * 1024,
          previous: query.previous ? true : undefined,
        },
      })) as string;
    } catch (error) {
      throw toKubeError(error, {
        verb: 'get',
        target: {
          kind: 'Pod',
          name: `${query.pod}/log (container ${query.container})`,
          namespace: query.namespace,
        },
        server: this.server,
      });
    }
  }
}
