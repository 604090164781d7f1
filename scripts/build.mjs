#!/usr/bin/env node
// `npm run build`: compiles src/ to dist/ (tsc), then bundles the CLI entry into one file,
// dist/onezone.mjs, which the `onezone` command runs. One file loads in about half the time of
// the few hundred modules it replaces (start-up is a target: docs/architecture.md). The native
// driver and the optional PostgreSQL client stay outside the bundle, loaded from node_modules.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { build } from 'esbuild';

const root = path.resolve(import.meta.dirname, '..');
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
