// Writes docs/openapi.json from the route schemas: `npm run openapi`.
import fs from 'node:fs';
import path from 'node:path';
import { generateOpenApi } from '../test/helpers/openapi.js';

const file = path.resolve(import.meta.dirname, '..', 'docs', 'openapi.json');
fs.writeFileSync(file, await generateOpenApi());
console.log(`wrote ${path.relative(process.cwd(), file)}`);
