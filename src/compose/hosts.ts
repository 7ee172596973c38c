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

/**
 * A shell line of a probe: host forms are rewritten, and so is a whole argument naming a host
 * (`pg_isready -h db`), but never a word in command position (`redis-cli`, `celery`).
 */
export function rewriteShellHosts(line: string, names: ReadonlyMap<string, HostReplacement>): string {
  const hosts = rewriteHosts(line, names);
  return hosts
    .split(/(\|\||&&|[|;])/)
    .map((segment, index) => {
      if (index % 2 === 1) return segment;
      let seenCommand = false;
      return segment
        .split(/(\s+)/)
        .map((word) => {
          if (word.trim() === '') return word;
          if (!seenCommand) {
            seenCommand = true;
            return word;
          }
          const replace = names.get(word) ?? names.get(word.replace(/^--?[a-z-]+=/, ''));
          if (!replace) return word;
          const flag = /^--?[a-z-]+=/.exec(word)?.[0] ?? '';
          return `${flag}${replace('word')}`;
        })
        .join('');
    })
    .join('');
}
