// The SDK as another project gets it: `import … from 'onezone-ts'` (and `onezone-ts/browser`),
// with its types, from the built dist/ — not from src/ as the other tests import it.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ROOT, ensureBuilt } from '../helpers/process.js';

describe('the package as a dependency of another project', () => {
  const project = fs.mkdtempSync(path.join(os.tmpdir(), 'onezone-consumer-'));
  after(() => fs.rmSync(project, { recursive: true, force: true }));

  before(() => {
    ensureBuilt();
    // As `npm install` of a local path does it: a link under node_modules.
    fs.mkdirSync(path.join(project, 'node_modules'));
    fs.symlinkSync(ROOT, path.join(project, 'node_modules', 'onezone-ts'), 'dir');
    fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  });

  it('imports the SDK by name: the Node entry, the browser entry and package.json', () => {
    const script = `
      import { createRequire } from 'node:module';
      const sdk = await import('onezone-ts');
      const browser = await import('onezone-ts/browser');
      const { version } = createRequire(import.meta.url)('onezone-ts/package.json');
      const client = new sdk.OnezoneClient({ baseUrl: 'http://127.0.0.1:9/api/v3/onezone' });
      await client.close();
      console.log(JSON.stringify({ sdk: Object.keys(sdk), browser: Object.keys(browser), version }));
    `;
    const out = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: project, encoding: 'utf8' })) as Record<string, unknown>;
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
    assert.equal(out.version, pkg.version);
    for (const name of ['OnezoneClient', 'OnezoneError', 'InvalidIdError', 'RequestTimeoutError', 'UnexpectedAnswerError', 'SPACE_PRIVILEGES', 'tokenId']) {
      assert.ok((out.sdk as string[]).includes(name), `onezone-ts exports ${name}`);
    }
    assert.ok((out.browser as string[]).includes('OnezoneClient'));
    assert.ok(!(out.browser as string[]).includes('tokenId'), 'the browser entry leaves the Node-only codec out');
  });

  it('comes with its types: a TypeScript project type-checks against them', () => {
    assert.ok(fs.existsSync(path.join(ROOT, 'dist', 'client', 'index.d.ts')));
    fs.writeFileSync(
      path.join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          module: 'nodenext',
          moduleResolution: 'nodenext',
          target: 'ES2022',
          strict: true,
          noEmit: true,
          skipLibCheck: true,
          typeRoots: [path.join(ROOT, 'node_modules', '@types')],
          types: ['node'],
        },
        files: ['consumer.ts'],
      }),
    );
    fs.writeFileSync(
      path.join(project, 'consumer.ts'),
      `import { OnezoneClient, type Space, tokenId } from 'onezone-ts';
import { OnezoneClient as BrowserClient } from 'onezone-ts/browser';
const client = new OnezoneClient({ baseUrl: 'http://127.0.0.1:9', timeoutMs: 1000 });
export const space: Promise<Space> = client.spaces.get('id');
export const id: string = tokenId('token');
// @ts-expect-error not an option of the client
export const wrong = new BrowserClient({ baseUrl: 'http://127.0.0.1:9', timeout: 1000 });
`,
    );
    const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    execFileSync(process.execPath, [tsc, '-p', project], { cwd: project, encoding: 'utf8' });
  });
});
