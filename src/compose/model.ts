/** The compose file, normalised: what berth understands of each service, and what it does not. */

export interface ComposePort {
  readonly target: number;
  readonly published?: number;
  readonly protocol: 'TCP' | 'UDP';
}

export interface ComposeVolume {
  readonly kind: 'named' | 'bind' | 'anonymous' | 'tmpfs';
  /** Volume name (named) or host path (bind). */
  readonly source: string;
  readonly target: string;
  readonly readOnly: boolean;
}

export interface ComposeHealthcheck {
  readonly test: readonly string[];
  readonly interval?: number;
  readonly timeout?: number;
  readonly retries?: number;
  readonly startPeriod?: number;
}

export interface ComposeDependency {
  readonly service: string;
  readonly condition: 'service_started' | 'service_healthy' | 'service_completed_successfully';
  readonly required: boolean;
}

/** A file the service mounts: a bind-mounted file or a compose `configs:` entry. */
export interface ComposeFile {
  /** Host path (bind) or `configs.<name>` (config). */
  readonly source: string;
  readonly target: string;
  /** Path of the file relative to the compose file, when its content lives in a file. */
  readonly path?: string;
  /** Inline content (`configs.<name>.content` or `.environment`). */
  readonly content?: string;
}

export interface ComposeService {
  readonly name: string;
  readonly image?: string;
  readonly environment: Readonly<Record<string, string>>;
  /** Variable → the interpolation variable its whole value comes from (`X: ${DB_PASSWORD:-…}`). */
  readonly envSources: Readonly<Record<string, string>>;
  /** Configuration files mounted into the container. */
  readonly files: readonly ComposeFile[];
  readonly ports: readonly ComposePort[];
  readonly expose: readonly number[];
  readonly volumes: readonly ComposeVolume[];
  readonly dependsOn: readonly ComposeDependency[];
  readonly healthcheck?: ComposeHealthcheck;
  readonly command?: readonly string[];
  readonly entrypoint?: readonly string[];
  readonly replicas?: number;
  readonly limits: { readonly cpu?: string; readonly memory?: string };
  readonly reservations: { readonly cpu?: string; readonly memory?: string };
  readonly user?: string;
  readonly restart?: string;
  readonly profiles: readonly string[];
}

/** A key berth did not translate, with why: never dropped silently. */
export interface Unsupported {
  readonly service: string;
  readonly key: string;
  readonly reason: string;
}

export interface ComposeProject {
  readonly services: readonly ComposeService[];
  /** Services left out because none of their profiles was selected. */
  readonly skipped: readonly string[];
  readonly namedVolumes: readonly string[];
  readonly unsupported: readonly Unsupported[];
  readonly notes: readonly string[];
}
