export type PlainObject = Record<string, unknown>;

export function isPlainObject(value: unknown): value is PlainObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `target[key] = value` as an own data property, even for `__proto__` (no prototype change). */
export function setOwn(target: PlainObject, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * Deep-merge `override` onto `base` without mutating either: maps merge key by key, lists and
 * scalars replace, and `null` removes the key (Helm's rule, so a user can drop a default).
 */
export function mergeValues(base: PlainObject, override: PlainObject): PlainObject {
  const result: PlainObject = { ...base };
  for (const [key, value] of Object.entries(override)) {
    if (value === null) {
      delete result[key];
    } else if (isPlainObject(value) && Object.hasOwn(result, key) && isPlainObject(result[key])) {
      setOwn(result, key, mergeValues(result[key] as PlainObject, value));
    } else {
      setOwn(result, key, value);
    }
  }
  return result;
}
