/**
 * Config files that must carry secrets. The file's template lives in a ConfigMap with `@@NAME@@`
 * placeholders; an init container fills them from Secret-backed environment variables (or from
 * files of mounted Secrets, JSON-escaped) into an emptyDir the main container mounts. Secrets never
 * land in a ConfigMap, and the template still rolls the pods when it changes.
 */
import type { ContainerSpec, ResourceSpec, VolumeSpec } from '../../render/model.ts';
import type { ImageValues } from '../../values/vocabulary/index.ts';
import { type EnvSource, env } from './env.ts';

export interface TemplatedConfigOptions {
  /** Name of the emptyDir the main container mounts (the template volume is `<name>-template`). */
  readonly name: string;
  /** Full name of the ConfigMap holding the templates, one key per file. */
  readonly configMap: string;
  /** Where the rendered files appear, in the init container and the main container alike. */
  readonly mountPath: string;
  readonly files: readonly string[];
  /** Image with a POSIX shell, sed and awk (usually the component's own image). */
  readonly image: ImageValues;
  readonly resources: ResourceSpec;
  /** `@@KEY@@` → value; values must not contain `|`, `&` or `\` (generated secrets never do). */
  readonly values?: Readonly<Record<string, EnvSource>>;
  /** `@@KEY@@` → a file (e.g. a PEM from a mounted Secret), inserted JSON-escaped (newlines as \n). */
  readonly fileValues?: Readonly<Record<string, string>>;
  /** Volumes of the pod the init container also mounts (e.g. the Secret the fileValues come from). */
  readonly extraMounts?: readonly string[];
}

export function templatedConfig(options: TemplatedConfigOptions): {
  readonly initContainer: ContainerSpec;
  readonly volumes: readonly VolumeSpec[];
} {
  const values = options.values ?? {};
  const fileValues = options.fileValues ?? {};
  const placeholders = [...Object.keys(values), ...Object.keys(fileValues)];
  const reads = Object.entries(fileValues).map(
    ([key, path]) => `${key}=$(awk '{printf "%s\\\\\\\\n", $0}' ${path})`,
  );
  const substitutions = placeholders.map((key) => `-e "s|@@${key}@@|$${key}|g"`).join(' ');
  const template = `${options.name}-template`;
  const templateDir = `/berth/${template}`;
  const renders = options.files.map(
    (file) => `sed ${substitutions} ${templateDir}/${file} > ${options.mountPath}/${file}`,
  );
  return {
    initContainer: {
      name: `render-${options.name}`,
      image: options.image,
      command: ['/bin/sh', '-c'],
      args: [['set -e', ...reads, ...renders].join('\n')],
      env: Object.entries(values).map(([key, source]) => env(key, source)),
      resources: options.resources,
      volumeMounts: [template, options.name, ...(options.extraMounts ?? [])],
    },
    volumes: [
      { name: template, mountPath: templateDir, configMap: options.configMap, readOnly: true },
      { name: options.name, mountPath: options.mountPath, emptyDir: {} },
    ],
  };
}
