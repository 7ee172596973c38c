/**
 * berth's entry point: turn on Node's compile cache before the rest of berth loads, so a second run
 * reuses the compiled code instead of parsing the bundle again.
 */
import { enableCompileCache } from 'node:module';
import { homedir } from 'node:os';
import { join } from 'node:path';

const cacheHome = process.env.XDG_CACHE_HOME || join(process.env.HOME || homedir(), '.cache');
// A cache that cannot be written (read-only home) only costs speed; Node reports it and carries on.
enableCompileCache(join(cacheHome, 'berth', 'compile-cache'));
await import('./main.ts');
