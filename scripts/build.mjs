/**
 * Builds what bin/berth runs: src/cli/start.ts bundled with its dependencies into minified ESM in
 * dist/ (never committed). Each command module, blueprint and heavy library sits behind a dynamic
 * import, so code splitting gives it a chunk of its own that only the commands using it load.
 *
 *   node scripts/build.mjs             # build (npm ci runs it as `prepare`)
 *   node scripts/build.mjs --analyze   # and print what each entry and chunk holds
 */
import { rmSync } from 'node:fs';
import { analyzeMetafile, build } from 'esbuild';

const root = new URL('..', import.meta.url).pathname;
const outdir = `${root}dist`;
rmSync(outdir, { recursive: true, force: true });
const result = await build({
  absWorkingDir: root,
  entryPoints: { berth: 'src/cli/start.ts' },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node24',
  minify: true,
  sourcemap: 'linked',
  legalComments: 'linked',
  metafile: true,
  // Node's built-in punycode is deprecated and warns once it runs outside node_modules, as bundled
  // code does; the npm package of the same name is the replacement Node points to.
  alias: { punycode: './node_modules/punycode/punycode.js' },
  logLevel: 'warning',
  // Bundled CommonJS packages call require(); ESM output has none of its own.
  banner: {
    js: "import{createRequire as __berthRequire}from'node:module';const require=__berthRequire(import.meta.url);",
  },
});
if (process.argv.includes('--analyze')) console.log(await analyzeMetafile(result.metafile));
