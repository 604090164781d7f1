#!/usr/bin/env node
// `npm run build`: compiles src/ to dist/ (tsc), then bundles the CLI entry into one file,
// dist/onezone.mjs, which the `onezone` command runs. One file loads in about half the time of
// the few hundred modules it replaces (start-up is a target: docs/architecture.md). The native
// driver and the optional PostgreSQL client stay outside the bundle, loaded from node_modules.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';

const root = path.resolve(import.meta.dirname, '..');
const STAMP = path.join(root, 'dist', '.built');

// `--if-stale` (the `prepare` script): nothing to do when dist/ was built after every input
// changed. `npx onezone` in a checkout installs the checkout into npm's cache and runs its
// `prepare` there before the first start: a full build again would make that start take tens
// of seconds. `npm run build` always builds.
// The one staleness check: tests (test/helpers/process.ts) and the benchmark call this too.
if (process.argv.includes('--if-stale') && upToDate()) process.exit(0);
const tsc = spawnSync(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
if (tsc.status !== 0) process.exit(tsc.status ?? 1);

await build({
  entryPoints: [path.join(root, 'dist/main.js')],
  outfile: path.join(root, 'dist/onezone.mjs'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['better-sqlite3', 'pg', 'pino-pretty'],
  // Bundled CommonJS packages call require(); give them Node's, resolved from dist/.
  banner: { js: "import { createRequire as __onezoneRequire } from 'node:module';\nconst require = __onezoneRequire(import.meta.url);" },
  legalComments: 'linked',
  logLevel: 'warning',
});

// The web UI (web/, docs/web.md): one browser bundle, one stylesheet and the page naming them,
// in dist/web/, which the zone serves at /ui/. Hashed names let the assets be cached for good.
const webOut = path.join(root, 'dist/web');
fs.rmSync(webOut, { recursive: true, force: true });
const web = await build({
  entryPoints: { app: path.join(root, 'web/src/main.ts'), style: path.join(root, 'web/style.css') },
  outdir: webOut,
  entryNames: '[name]-[hash]',
  bundle: true,
  platform: 'browser',
  format: 'iife',
  target: 'es2022',
  minify: true,
  metafile: true,
  tsconfig: path.join(root, 'web/tsconfig.json'),
  plugins: [withoutUndici()],
  legalComments: 'linked',
  logLevel: 'warning',
});
const outputs = Object.keys(web.metafile.outputs).map((f) => path.basename(f));
const named = (prefix, ext) => outputs.find((f) => f.startsWith(`${prefix}-`) && f.endsWith(ext));
const page = fs
  .readFileSync(path.join(root, 'web/index.html'), 'utf8')
  .replace('"app.js"', `"${named('app', '.js')}"`)
  .replace('"style.css"', `"${named('style', '.css')}"`);
fs.writeFileSync(path.join(webOut, 'index.html'), page);
fs.copyFileSync(path.join(root, 'web/favicon.svg'), path.join(webOut, 'favicon.svg'));
const foreign = Object.keys(web.metafile.inputs).filter((f) => /(^|\/)node_modules\/undici\/|^node:/.test(f));
if (foreign.length > 0) {
  console.error(`the web bundle must not contain Node code: ${foreign.join(', ')}`);
  process.exit(1);
}

/**
 * The SDK sends with undici in Node and with the `fetch` it is given in a browser (the UI always
 * gives it one): in the browser bundle undici is a stub, so none of its Node code is shipped.
 */
function withoutUndici() {
  const contents =
    "const missing = () => { throw new Error('no fetch given to the client'); };\n" +
    'export const request = missing;\nexport class Agent { constructor() { missing(); } }\n';
  return {
    name: 'without-undici',
    setup(b) {
      b.onResolve({ filter: /^undici$/ }, () => ({ path: 'undici', namespace: 'without-undici' }));
      b.onLoad({ filter: /.*/, namespace: 'without-undici' }, () => ({ contents, loader: 'js' }));
    },
  };
}

fs.writeFileSync(STAMP, `${new Date().toISOString()}\n`);

/** Built (the bundle and the web UI there) after the newest change to anything the build reads. */
function upToDate() {
  const built = ['dist/onezone.mjs', 'dist/web/index.html'].every((p) => fs.existsSync(path.join(root, p)));
  return built && fs.existsSync(STAMP) && fs.statSync(STAMP).mtimeMs >= newestInput();
}

/** The newest change to anything the build reads. */
function newestInput() {
  const newest = (p) => {
    if (!fs.existsSync(p)) return 0;
    const stat = fs.statSync(p);
    if (!stat.isDirectory()) return stat.mtimeMs;
    return fs.readdirSync(p).reduce((max, name) => Math.max(max, newest(path.join(p, name))), stat.mtimeMs);
  };
  return Math.max(...['src', 'web', 'scripts/build.mjs', 'package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json'].map((p) => newest(path.join(root, p))));
}
