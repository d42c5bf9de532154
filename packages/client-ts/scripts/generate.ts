// Regenerates src/generated/ from the API's contract artifacts. Run `npm run generate` at the repo
// root (the API's artifacts, then this), or `npm run generate -w @lightspeed/client` alone.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generatedDir, readArtifacts } from './artifacts.js';
import { renderClient } from './render-client.js';

const { schema, manifest } = readArtifacts();
mkdirSync(generatedDir, { recursive: true });
for (const [file, text] of Object.entries(renderClient(schema, manifest))) {
  writeFileSync(join(generatedDir, file), text);
  console.log(`wrote src/generated/${file}`);
}
