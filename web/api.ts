/** Calls to the console's API: the session (CSRF token), JSON reads and writes, event streams. */
import { useEffect, useState } from 'preact/hooks';

export interface Session {
  readonly csrf: string;
  readonly readOnly: boolean;
  readonly context: string;
  readonly namespaces: readonly string[];
}

export interface ApiProblem {
  readonly path: string;
  readonly message: string;
}

export class ApiError extends Error {
  readonly problems: readonly ApiProblem[];
  constructor(message: string, problems: readonly ApiProblem[] = []) {
    super(message);
    this.problems = problems;
  }
}

let session: Promise<Session> | undefined;

export function getSession(): Promise<Session> {
  session ??= getJson<Session>('/api/session');
  return session;
}

async function failure(response: Response): Promise<ApiError> {
  const body = (await response.json().catch(() => ({}))) as { error?: string; problems?: ApiProblem[] };
  return new ApiError(body.error ?? `${response.status} ${response.statusText}`, body.problems);
}

export async function getJson<T>(path: string): Promise<T> {
  const response = await fetch(path, { credentials: 'same-origin' });
  if (!response.ok) throw await failure(response);
  return (await response.json()) as T;
}

async function post(path: string, body: unknown): Promise<Response> {
  const { csrf } = await getSession();
  const response = await fetch(path, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json', 'x-berth-csrf': csrf },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw await failure(response);
  return response;
}

export async function postJson<T>(path: string, body: unknown): Promise<T> {
  return (await (await post(path, body)).json()) as T;
}

/** POSTs and hands each server-sent event of the streamed answer to `onEvent`. */
export async function postStream(
  path: string,
  body: unknown,
  onEvent: (event: string, data: unknown) => void,
): Promise<void> {
  const reader = (await post(path, body)).body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    buffer += value;
    let end = buffer.indexOf('\n\n');
    while (end >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const event = /^event: ?(.*)$/m.exec(block)?.[1] ?? 'message';
      const data = [...block.matchAll(/^data: ?(.*)$/gm)].map((m) => m[1]).join('\n');
      if (data) onEvent(event, JSON.parse(data));
      end = buffer.indexOf('\n\n');
    }
  }
}

export function releasePath(namespace: string, release: string): string {
  return `/api/releases/${encodeURIComponent(namespace)}/${encodeURIComponent(release)}`;
}

/** A release's JSON at `${releasePath}/${view}`, loaded once per release: the data or the error. */
export function useReleaseJson<T>(namespace: string, release: string, view: string) {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    getJson<T>(`${releasePath(namespace, release)}/${view}`).then(setData, (e: Error) => setError(e.message));
  }, [namespace, release, view]);
  return { data, error };
}
