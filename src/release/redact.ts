/** Values kept in release records lose anything that looks like a credential. */
import { isPlainObject } from '../values/merge.ts';

const SENSITIVE_KEY = /pass(word)?|secret|token|credential|private|(^|[^a-z])key$|apikey|api_key/i;
export const REDACTED = '<redacted>';

export function redactValues(value: unknown, key = ''): unknown {
  if (Array.isArray(value)) return value.map((item) => redactValues(item, key));
  if (isPlainObject(value)) {
    // extraEnv-style entries: {name: SOME_PASSWORD, value: ...}
    if (typeof value.name === 'string' && 'value' in value && SENSITIVE_KEY.test(value.name)) {
      return { ...value, value: REDACTED };
    }
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactValues(v, k)]));
  }
  if (typeof value === 'string' && SENSITIVE_KEY.test(key) && !/^(existingSecret|secretKeys)$/.test(key))
    return REDACTED;
  return value;
}
