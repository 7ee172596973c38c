/**
 * Builds what bin/berth runs: src/cli/start.ts bundled with its dependencies into minified ESM in
 * dist/ (never committed). Each command module, blueprint and heavy library sits behind a dynamic
 * import, so code splitting gives it a chunk of its own that only the commands using it load.
 *
 *   node scripts/build.mjs             # build (npm ci runs it as `prepare`)
 *   node scripts/build.mjs --analyze   # and print what each entry and chunk holds
 *   node scripts/build.mjs --readable  # not minified, so a CPU profile (node --cpu-prof) names functions
 */
import { readFileSync, rmSync } from 'node:fs';
import { analyzeMetafile, build } from 'esbuild';

const root = new URL('..', import.meta.url).pathname;
const lightFormats = `${root}src/render/openapi-formats.ts`;

/** @kubernetes-models/validate's formats, replaced by the few its validators use (see that file). */
const kubernetesFormats = {
  name: 'kubernetes-formats',
  setup(builder) {
    builder.onResolve({ filter: /^\.\/formats\.js$/ }, ({ importer }) =>
      /@kubernetes-models\/validate\/dist\/index\.js$/.test(importer) ? { path: lightFormats } : undefined,
    );
  },
};

/** Every format a bundled validator names (`formats.<name>`) must be one the light module defines. */
async function checkFormats(metafile) {
  const { formats } = await import(lightFormats);
  const missing = new Set();
  for (const input of Object.keys(metafile.inputs)) {
    if (!/kubernetes-models\//.test(input) || input.includes('@kubernetes-models/validate/')) continue;
    for (const [, name] of readFileSync(`${root}${input}`, 'utf8').matchAll(/\bformats\.(\w+)/g)) {
      if (!Object.hasOwn(formats, name)) missing.add(`${name} (${input})`);
    }
  }
  if (missing.size)
    throw new Error(`src/render/openapi-formats.ts lacks formats: ${[...missing].join(', ')}`);
}

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
  minify: !process.argv.includes('--readable'),
  sourcemap: 'linked',
  legalComments: 'linked',
  metafile: true,
  // Node's built-in punycode is deprecated and warns once it runs outside node_modules, as bundled
  // code does; the npm package of the same name is the replacement Node points to.
  alias: { punycode: './node_modules/punycode/punycode.js' },
  // re2-wasm (PrometheusRule's validator) reads re2.wasm next to its own file through __dirname,
  // which bundled ESM has not: Node loads it from node_modules as the CommonJS it is.
  external: ['re2-wasm'],
  plugins: [kubernetesFormats],
  logLevel: 'warning',
  // Bundled CommonJS packages call require(); ESM output has none of its own.
  banner: {
    js: "import{createRequire as __berthRequire}from'node:module';const require=__berthRequire(import.meta.url);",
  },
});
await checkFormats(result.metafile);
if (process.argv.includes('--analyze')) console.log(await analyzeMetafile(result.metafile));
