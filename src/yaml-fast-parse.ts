/**
 * A quick first read of a large YAML document a user hands berth (a values file of thousands of
 * objects took the yaml package seconds and hundreds of MiB). js-yaml with the YAML 1.2 core schema
 * reads plain documents to the same data several times faster. Anything where the two could differ
 * or where berth's own checks must speak (anchors and aliases, tags, merge keys, null keys, numbers
 * out of range, duplicate keys, any syntax error) returns undefined, and the caller reads the text
 * with the yaml package as before. test/unit/yaml-fast-parse.test.ts compares the two.
 */
import { CORE_SCHEMA, load } from 'js-yaml';

/** Anchors, aliases, tags, merge keys: the yaml package's alias limit and messages apply. */
const SPECIAL = /[&*!]|<</;
/** A null map key: the yaml package makes it "", js-yaml "null". */
const NULL_KEY = /(?:^|[\s{,[-])(?:~|null|Null|NULL)[ \t]*:(?:\s|$)/m;
/** A number beyond double range: the yaml package reads Infinity, js-yaml a string. */
const HUGE_EXPONENT = /[0-9.][eE][-+]?[0-9]{3,}/;

export function fastParse(text: string): { readonly value: unknown } | undefined {
  if (SPECIAL.test(text) || NULL_KEY.test(text) || HUGE_EXPONENT.test(text)) return undefined;
  try {
    return { value: load(text, { schema: CORE_SCHEMA }) };
  } catch {
    return undefined;
  }
}
