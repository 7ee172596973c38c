/**
 * berth's entry point: settings for the whole process, made before the rest of berth loads.
 * - Node's compile cache, so a second run reuses the compiled code instead of parsing the bundle again.
 * - zod without its compiled parsers: it would generate and compile a parser per object schema on
 *   first use, which costs a short-lived process more than it saves (measured in docs/benchmarks.md).
 *   zod reads the setting when a schema is built, so it comes before any schema module loads. It
 *   is set where zod keeps it (`globalThis.__zod_globalConfig`, which zod adopts when it loads), so
 *   commands that build no schema (list, status, history) never load zod at all.
 */
import { enableCompileCache } from 'node:module';
import { homedir } from 'node:os';
import { join } from 'node:path';

const cacheHome = process.env.XDG_CACHE_HOME || join(process.env.HOME || homedir(), '.cache');
// A cache that cannot be written (read-only home) only costs speed; Node reports it and carries on.
enableCompileCache(join(cacheHome, 'berth', 'compile-cache'));
(globalThis as { __zod_globalConfig?: object }).__zod_globalConfig = { jitless: true };
await import('./main.ts');
