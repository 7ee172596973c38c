/**
 * The console's front end, built by `npm run build:console` (scripts/build-console.ts) into
 * dist/console and read once when the server starts. A checkout that never built it still runs
 * the API; the page then says how to build it.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface Assets {
  readonly files: Readonly<Record<string, { readonly type: string; readonly body: string }>>;
  /** Why there is no page, when the build is missing. */
  readonly missing?: string;
}

/** From src/console/ when run from the sources; from dist/ itself when run as the bundle. */
const CANDIDATES = ['../../dist/console/', './console/'].map((path) =>
  fileURLToPath(new URL(path, import.meta.url)),
);

export const DEFAULT_ASSETS_DIR = CANDIDATES.find((dir) => existsSync(`${dir}/index.html`)) ?? CANDIDATES[0]!;

const FILES: Readonly<Record<string, { readonly file: string; readonly type: string }>> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/app.css': { file: 'app.css', type: 'text/css; charset=utf-8' },
};

export function loadAssets(dir: string = DEFAULT_ASSETS_DIR): Assets {
  const absent = Object.values(FILES).filter(({ file }) => !existsSync(`${dir}/${file}`));
  if (absent.length)
    return {
      files: {},
      missing: `the console's front end is not built (${absent.map((a) => a.file).join(', ')} missing in ${dir}): run npm run build:console`,
    };
  // The pages the front end loads when first opened (scripts/build-console.ts).
  const chunks = existsSync(`${dir}/chunks`)
    ? readdirSync(`${dir}/chunks`).filter((f) => f.endsWith('.js'))
    : [];
  const served = {
    ...FILES,
    ...Object.fromEntries(
      chunks.map((f) => [`/chunks/${f}`, { file: `chunks/${f}`, type: FILES['/app.js']!.type }]),
    ),
  };
  return {
    files: Object.fromEntries(
      Object.entries(served).map(([path, { file, type }]) => [
        path,
        { type, body: readFileSync(`${dir}/${file}`, 'utf8') },
      ]),
    ),
  };
}
