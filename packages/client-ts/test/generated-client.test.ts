import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generatedDir, readArtifacts } from '../scripts/artifacts.js';
import { renderClient } from '../scripts/render-client.js';
import { schemaToType } from '../scripts/schema-to-ts.js';
import { ERROR_CATALOG, ERROR_CLASSES, LightspeedClient, METHOD_NAMES, PROTOCOL_VERSION } from '../src/index.js';

const { schema, manifest } = readArtifacts();
const packageJson = JSON.parse(readFileSync(join(generatedDir, '..', '..', 'package.json'), 'utf8')) as { version: string; private?: boolean; exports: unknown; files: string[]; types: string };

describe('the generated client', () => {
  it.each(Object.entries(renderClient(schema, manifest)))('committed src/generated/%s matches the API artifacts', (file, text) => {
    expect(readFileSync(join(generatedDir, file), 'utf8'), 'stale: the API artifacts changed; run `npm run generate` at the repo root').toBe(text);
  });

  it('has a typed method for every method of the manifest, reachable by its name segments', () => {
    expect(METHOD_NAMES).toEqual(manifest.methods.map((method) => method.method));
    const client = new LightspeedClient({ baseUrl: 'http://127.0.0.1:1' });
    for (const method of METHOD_NAMES) {
      const fn = method.split('/').reduce<unknown>((node, segment) => (node as Record<string, unknown>)[segment], client);
      expect(fn, method).toBeTypeOf('function');
    }
  });

  it('has an error class for every code of the catalog', () => {
    expect(ERROR_CATALOG.map((entry) => entry.code)).toEqual(manifest.errors.map((entry) => entry.code));
    for (const { code } of ERROR_CATALOG) expect(ERROR_CLASSES[code], String(code)).toBeTypeOf('function');
  });

  it("tracks the contract version: the package's major version is the protocol's", () => {
    expect(PROTOCOL_VERSION).toBe(manifest.protocolVersion);
    const contractMajor = /\.v(\d+)$/.exec(manifest.protocolVersion)?.[1];
    expect(packageJson.version.split('.')[0]).toBe(contractMajor);
  });

  it('is publishable: not private, with exports, types and files', () => {
    expect(packageJson.private).toBeUndefined();
    expect(packageJson.exports).toMatchObject({ '.': { types: './dist/index.d.ts', default: './dist/index.js' } });
    expect(packageJson.types).toBe('./dist/index.d.ts');
    expect(packageJson.files).toEqual(expect.arrayContaining(['dist', 'README.md']));
  });

  it("refuses a method that would shadow the client's own members or another method", () => {
    const method = (name: string) => ({ ...manifest.methods[0]!, method: name });
    expect(() => renderClient(schema, { ...manifest, methods: [method('follow/list')] })).toThrow(/shadow the client's own member/);
    expect(() => renderClient(schema, { ...manifest, methods: [method('tasks'), method('tasks/list')] })).toThrow(/prefix/);
  });

  it('refuses a schema keyword it cannot type rather than widening it', () => {
    expect(() => schemaToType({ type: 'object', if: { type: 'string' } })).toThrow(/keyword "if"/);
    expect(schemaToType({ type: 'array', items: { anyOf: [{ type: 'string' }, { type: 'null' }] } })).toBe('(string | null)[]');
    expect(schemaToType({ type: ['string', 'null'] })).toBe('string | null');
  });
});
