/**
 * Credentials in plain text where anyone who may read the object reads them, and every copy of it
 * shows them (kubectl get -o yaml, GitOps repositories): container env and ConfigMaps. Usually a
 * value a user gave in extraEnv or a config override; a warning, since the values are theirs.
 */
import { HARMLESS, URL_CREDENTIALS } from '../../plan/redact.ts';
import type { KubeObject } from '../../render/model.ts';
import { type Finding, warning } from '../findings.ts';
import type { ComponentView, ReleaseView } from '../view.ts';
import { subjectOf } from './containers.ts';

type Json = Record<string, unknown>;

/**
 * An env name that ends in a credential word (OPENAI_API_KEY, DB_PASSWORD, GITHUB_TOKEN). Narrower
 * than redaction's rule, which also hides APIKEY_USERS or PRIVATE_BUCKET to be safe: a warning
 * must not cry wolf.
 */
const CREDENTIAL_ENV =
  /(^|[-_.])(pass(word|wd|phrase)?|secret|token|credentials?|(api|access|secret|private|encryption)[-_]?key)$/i;

const SECRET_HINT = 'keep it in a Secret and refer to it (extraEnv with valueFrom.secretKeyRef, or envFrom)';

/** A literal password inside a URL (`scheme://user:pw@`), by the rule that redacts berth's own output. */
function hasUrlPassword(text: string): boolean {
  return [...text.matchAll(URL_CREDENTIALS)].some(([, , , password]) => !HARMLESS.test(password ?? ''));
}

function envFindings(component: ComponentView): Finding[] {
  const findings: Finding[] = [];
  for (const container of [...component.initContainers, ...component.containers])
    for (const entry of (container.spec.env as Json[] | undefined) ?? []) {
      const { name, value } = entry;
      if (typeof name !== 'string' || typeof value !== 'string' || HARMLESS.test(value)) continue;
      const problem = CREDENTIAL_ENV.test(name)
        ? 'holds a credential in plain text in the pod spec'
        : hasUrlPassword(value)
          ? 'has a password inside a URL in plain text in the pod spec'
          : undefined;
      if (problem)
        findings.push(
          warning(
            'plain-credential',
            `${subjectOf(component, container)} env ${name}`,
            `${problem}; ${SECRET_HINT}`,
          ),
        );
    }
  return findings;
}

function configMapFindings(object: KubeObject): Finding[] {
  if (object.kind !== 'ConfigMap') return [];
  return Object.entries((object as { data?: Record<string, string> }).data ?? {})
    .filter(([, text]) => typeof text === 'string' && hasUrlPassword(text))
    .map(([key]) =>
      warning(
        'plain-credential',
        `ConfigMap/${object.metadata.name} key ${key}`,
        'has a password inside a URL in plain text; keep it in a Secret and refer to it from the configuration (an environment variable from the Secret)',
      ),
    );
}

export function credentialFindings(view: ReleaseView): Finding[] {
  return [...view.components.flatMap(envFindings), ...view.objects.flatMap(configMapFindings)];
}
