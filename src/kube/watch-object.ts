/**
 * Follows one object over time: list (to get it and a resourceVersion), then watch from there,
 * resuming after every drop from the last version seen and re-listing when the server says that
 * version is gone (410). Runs until the signal aborts or a permanent error (RBAC, unknown kind).
 */
import { setTimeout as delay } from 'node:timers/promises';
import { BerthError, ExitCode } from '../errors.ts';
import type { KubeClient, ListQuery, WatchEvent } from './client.ts';
import type { LiveObject, ObjectRef } from './types.ts';

/** What following objects needs of a client: a list with its version, and a watch from there. */
export type WatchSource = Pick<KubeClient, 'listWithVersion' | 'watch'>;

export interface WatchObjectOptions {
  readonly signal: AbortSignal;
  /** The object as it is now; undefined while it does not exist. Called on every change. */
  readonly onChange: (object: LiveObject | undefined) => void;
  /** A transient problem (dropped connection, server error); the watch is being re-established. */
  readonly onProblem?: (error: unknown) => void;
  /** Waits between reconnects; injectable for tests. */
  readonly sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

type WatchOutcome =
  | { readonly kind: 'closed' }
  | { readonly kind: 'gone' }
  | { readonly kind: 'error'; readonly error: unknown };

const maxReconnectDelayMs = 5000;

async function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  try {
    await delay(ms, undefined, { signal });
  } catch {
    // aborted: the caller checks the signal
  }
}

/** Errors a reconnect will not fix: the user's (credentials, permissions, unknown kind). */
function isPermanent(error: unknown): boolean {
  return error instanceof BerthError && error.exitCode === ExitCode.userError;
}

function isGone(error: unknown): boolean {
  return (error as { status?: unknown }).status === 410;
}

/** Follows `ref` until `options.signal` aborts; rejects only on a permanent error. */
export function watchObject(client: WatchSource, ref: ObjectRef, options: WatchObjectOptions): Promise<void> {
  const { onChange, ...rest } = options;
  const query = {
    apiVersion: ref.apiVersion,
    kind: ref.kind,
    namespace: ref.namespace,
    fieldSelector: `metadata.name=${ref.name}`,
  };
  return watchQuery(client, query, {
    ...rest,
    onList: (items) => onChange(items[0]),
    onEvent: (type, object) => onChange(type === 'DELETED' ? undefined : object),
  });
}

export interface WatchQueryOptions extends Omit<WatchObjectOptions, 'onChange'> {
  /** Everything the query matches, on the first list and on every re-list (after a 410). */
  readonly onList: (objects: readonly LiveObject[]) => void;
  readonly onEvent: (type: 'ADDED' | 'MODIFIED' | 'DELETED', object: LiveObject) => void;
}

/** Follows every object `query` matches, as watchObject follows one. */
export async function watchQuery(
  client: WatchSource,
  query: ListQuery,
  options: WatchQueryOptions,
): Promise<void> {
  const { signal } = options;
  const sleep = options.sleep ?? abortableSleep;
  let resourceVersion: string | undefined;
  let failures = 0;
  const backOff = async (error: unknown) => {
    if (isPermanent(error)) throw error;
    options.onProblem?.(error);
    failures++;
    await sleep(Math.min(maxReconnectDelayMs, 100 * 2 ** failures), signal);
  };

  while (!signal.aborted) {
    if (resourceVersion === undefined) {
      try {
        const listed = await client.listWithVersion(query);
        options.onList(listed.items);
        resourceVersion = listed.resourceVersion;
      } catch (error) {
        await backOff(error);
        continue;
      }
    }
    const opened = Date.now();
    const outcome = await new Promise<WatchOutcome>((resolve) => {
      const onEvent = (event: WatchEvent) => {
        failures = 0;
        if (event.type === 'ERROR') {
          if (event.object.code === 410) resolve({ kind: 'gone' });
          else
            resolve({ kind: 'error', error: new Error(`watch error: ${event.object.message ?? 'unknown'}`) });
          handle?.stop();
          return;
        }
        resourceVersion = event.object.metadata.resourceVersion ?? resourceVersion;
        if (event.type === 'BOOKMARK') return;
        options.onEvent(event.type, event.object);
      };
      const onClose = (error?: unknown) => {
        if (error === undefined) resolve({ kind: 'closed' });
        else if (isGone(error)) resolve({ kind: 'gone' });
        else resolve({ kind: 'error', error });
      };
      let handle: { stop(): void } | undefined;
      // The server closes the watch cleanly before the client's 30 s inactivity timer would fire.
      const timeoutSeconds = 20 + Math.floor(Math.random() * 8);
      client
        .watch({ ...query, resourceVersion, timeoutSeconds }, { onEvent, onClose }, signal)
        .then((h) => {
          handle = h;
        })
        .catch((error: unknown) => resolve({ kind: 'error', error }));
    });
    if (outcome.kind === 'gone') resourceVersion = undefined;
    else if (outcome.kind === 'error') await backOff(outcome.error);
    // A watch that ends at once, again and again, must not turn into a busy loop.
    else if (Date.now() - opened < 1000) await sleep(1000, signal);
  }
}
