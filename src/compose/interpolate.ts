/** Compose variable interpolation (`${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:?err}`, `$$`) and .env files. */
import { BerthError } from '../errors.ts';

export type Variables = Readonly<Record<string, string | undefined>>;

export interface Interpolation {
  readonly value: string;
  /** Variables that were used but not set (compose warns and substitutes an empty string). */
  readonly unset: readonly string[];
}

const NAME = '[A-Za-z_][A-Za-z0-9_]*';
const PATTERN = new RegExp(
  `\\$(?:\\$|(${NAME})|\\{(${NAME})(?:(:?[-?+])((?:[^{}]|\\{[^{}]*\\})*))?\\})`,
  'g',
);

/** Interpolates one string; nested `${...}` inside a default is resolved too. */
export function interpolate(text: string, vars: Variables, where = ''): Interpolation {
  const unset: string[] = [];
  const value = text.replace(
    PATTERN,
    (match, bare: string | undefined, name: string | undefined, op?: string, arg = '') => {
      if (match === '$$') return '$';
      const variable = (bare ?? name)!;
      const current = vars[variable];
      const isSet = current !== undefined;
      const isFilled = isSet && current !== '';
      const nested = () => {
        const inner = interpolate(arg, vars, where);
        unset.push(...inner.unset);
        return inner.value;
      };
      switch (op) {
        case ':-':
          return isFilled ? current : nested();
        case '-':
          return isSet ? current : nested();
        case ':+':
          return isFilled ? nested() : '';
        case '+':
          return isSet ? nested() : '';
        case ':?':
        case '?':
          if (op === ':?' ? isFilled : isSet) return current!;
          throw new BerthError(
            'BERTH_COMPOSE_VARIABLE',
            `${where ? `${where}: ` : ''}required variable ${variable} is missing${arg ? `: ${arg}` : ''}`,
            { hint: 'set it in the environment or in the file given with --env-file' },
          );
        default:
          if (!isSet) unset.push(variable);
          return current ?? '';
      }
    },
  );
  return { value, unset };
}

/** Parses a .env file: KEY=VALUE lines, `export` prefixes, comments, single/double quotes. */
export function parseEnvFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const match = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*)$/.exec(line);
    if (!match) continue;
    const [, key, rest] = match as unknown as [string, string, string];
    let value = rest;
    const quote = value[0];
    if ((quote === '"' || quote === "'") && value.lastIndexOf(quote) > 0) {
      value = value.slice(1, value.lastIndexOf(quote));
      if (quote === '"') value = value.replace(/\\n/g, '\n').replace(/\\"/g, '"');
    } else {
      value = value.replace(/\s+#.*$/, '');
    }
    out[key] = value;
  }
  return out;
}
