/**
 * Compose service names inside settings, commands, probes and config files: on Kubernetes they
 * become the release's Service names, and in a container's own health check the pod itself.
 */

/** Variables whose value is one host or a comma-separated list of hosts. */
export const HOST_VARIABLE =
  /(HOSTS?|HOSTNAMES?|SERVERS?|ADDRS?|ADDRESS(?:ES)?|ENDPOINTS?|URLS?|URIS?|UPSTREAMS?|BROKERS?)$/i;
/** The prefix of a host variable, to find its port: DB_HOST → DB_PORT, PGHOST → PGPORT. */
export const HOST_SUFFIX = /(HOSTS?|HOSTNAMES?|SERVERS?|ADDRS?|ADDRESS)$/i;

export const hostMark = (component: string) => `{{host:${component}}}`;

export const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Compose name (or alias) → what to write instead, by the form it appears in. */
export type HostReplacement = (form: 'url' | 'hostport' | 'word') => string;

/** Default ports of URL schemes, for `http://api/path` with no port. */
export const SCHEME_PORTS: Readonly<Record<string, number>> = {
  http: 80,
  https: 443,
  ws: 80,
  wss: 443,
  redis: 6379,
  postgres: 5432,
  postgresql: 5432,
  mysql: 3306,
  mongodb: 27017,
  amqp: 5672,
};

/**
 * Rewrites `scheme://name[:port]`, `user@name`, `name:port` (also in lists and `tcp(name:port)`),
 * and, when `wholeValue`, a value that is the name or a comma-separated list of names.
 */
export function rewriteHosts(
  text: string,
  names: ReadonlyMap<string, HostReplacement>,
  wholeValue = false,
): string {
  if (wholeValue) {
    const items = text.split(',');
    if (items.some((item) => names.has(item.trim()))) {
      return items
        .map((item) => {
          const replace = names.get(item.trim());
          return replace ? item.replace(item.trim(), replace('word')) : item;
        })
        .join(',');
    }
  }
  let out = text;
  for (const [name, replace] of names) {
    const n = escapeRegExp(name);
    out = out.replace(
      new RegExp(`(//|@)${n}(?=(?::\\d+)?(?:[/?#,;\\s'"\`)\\]]|$))`, 'g'),
      (_, lead: string) => `${lead}${replace('url')}`,
    );
    out = out.replace(
      new RegExp(`(^|[\\s,=(\\['"\`])${n}(?=:\\d)`, 'g'),
      (_, lead: string) => `${lead}${replace('hostport')}`,
    );
  }
  return out;
}

/** Every `name:port` and `scheme://name` reference in a text, with its port. */
export function portReferences(text: string, name: string): number[] {
  const n = escapeRegExp(name);
  const ports: number[] = [];
  for (const match of text.matchAll(new RegExp(`(?:^|[/@\\s,=(\\['"\`])${n}:(\\d{2,5})\\b`, 'g')))
    ports.push(Number(match[1]));
  for (const match of text.matchAll(
    new RegExp(`\\b([a-z][a-z0-9+.-]*)://(?:[^@/\\s]*@)?${n}(?=[/?#,;\\s'"\`)\\]]|$)`, 'gi'),
  )) {
    const port = SCHEME_PORTS[match[1]!.toLowerCase()];
    if (port !== undefined) ports.push(port);
  }
  return ports;
}

/** Flags whose next argument is a host: `pg_isready -h db`, `redis-cli --host redis`. */
const HOST_FLAG = /^(-h|-H|--host|--hostname|--server|--addr|--address)$/;

/**
 * A word of a command that names a host: after a host flag, as `--host=name`, or followed by a
 * port (`nc -z db 5432`); never the program itself nor other arguments (`grep redis`).
 */
export function replaceHostArgument(
  words: readonly string[],
  index: number,
  names: ReadonlyMap<string, HostReplacement>,
): string {
  const word = words[index]!;
  const flag = /^--?[a-z-]+=/.exec(word)?.[0];
  if (flag && HOST_FLAG.test(flag.slice(0, -1))) {
    const replace = names.get(word.slice(flag.length));
    return replace ? `${flag}${replace('word')}` : word;
  }
  const replace = names.get(word);
  const hostPosition =
    index > 0 && (HOST_FLAG.test(words[index - 1] ?? '') || /^\d{2,5}$/.test(words[index + 1] ?? ''));
  return replace && hostPosition ? replace('word') : word;
}

/** A shell line of a probe: host forms (URLs, host:port) and host arguments of each command. */
export function rewriteShellHosts(line: string, names: ReadonlyMap<string, HostReplacement>): string {
  return rewriteHosts(line, names)
    .split(/(\|\||&&|[|;])/)
    .map((segment, index) => {
      if (index % 2 === 1) return segment;
      const parts = segment.split(/(\s+)/);
      const words = parts.filter((part) => part.trim() !== '');
      let position = 0;
      return parts
        .map((part) => (part.trim() === '' ? part : replaceHostArgument(words, position++, names)))
        .join('');
    })
    .join('');
}
