// Writes the generated contract artifacts (JSON Schema, method manifest, OpenRPC) from the zod
// schemas. Run with `npm run generate -w @lightspeed/api`; test/contract-artifacts.test.ts fails
// when the committed files differ from what this would write.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildContractArtifacts, serializeArtifact } from '../src/contract/artifacts.js';

const outDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'generated');
mkdirSync(outDir, { recursive: true });
for (const [file, value] of Object.entries(buildContractArtifacts())) {
  writeFileSync(join(outDir, file), serializeArtifact(value));
  console.log(`wrote generated/${file}`);
}
