// Where the generator reads the contract from and writes the client to. The artifacts are read as
// files, not imported: the client must not depend on the server package at runtime or for types.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MethodManifest, SchemaDocument } from './render-client.js';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
export const artifactsDir = join(packageDir, '..', 'api', 'generated');
export const generatedDir = join(packageDir, 'src', 'generated');

export function readArtifacts(): { schema: SchemaDocument; manifest: MethodManifest } {
  return {
    schema: JSON.parse(readFileSync(join(artifactsDir, 'lightspeed-api.schema.json'), 'utf8')) as SchemaDocument,
    manifest: JSON.parse(readFileSync(join(artifactsDir, 'lightspeed-api.methods.json'), 'utf8')) as MethodManifest,
  };
}
