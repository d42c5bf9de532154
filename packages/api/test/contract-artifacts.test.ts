import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import ajvFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { buildContractArtifacts, METHODS_FILE, SCHEMA_FILE, serializeArtifact } from '../src/contract/artifacts.js';
import { methodSpecs } from '../src/schemas/methods.js';

// ajv-formats is CommonJS: under NodeNext typing its default export sits on `.default`.
const addFormats = ((ajvFormats as unknown as { default?: typeof ajvFormats }).default ?? ajvFormats) as unknown as (ajv: Ajv) => Ajv;

const generatedDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'generated');

describe('generated contract artifacts', () => {
  const artifacts = buildContractArtifacts();

  it.each(Object.keys(artifacts))('committed %s matches what `npm run generate` would write', (file) => {
    const committed = readFileSync(join(generatedDir, file), 'utf8');
    // A mismatch means a zod schema changed without regenerating: run `npm run generate -w @lightspeed/api`.
    expect(committed).toBe(serializeArtifact(artifacts[file]));
  });

  it('the JSON Schema compiles and every method names a params and an outcome definition', () => {
    const schema = artifacts[SCHEMA_FILE] as { definitions: Record<string, unknown> };
    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(ajv);
    ajv.addSchema(schema, 'api');
    const manifest = artifacts[METHODS_FILE] as { methods: { method: string; params: { type: string } }[] };
    expect(manifest.methods.map((m) => m.method)).toEqual(Object.keys(methodSpecs));
    for (const spec of Object.values(methodSpecs)) {
      expect(ajv.getSchema(`api#/definitions/${spec.paramsType}`)).toBeTypeOf('function');
      expect(ajv.getSchema(`api#/definitions/AgentApiOutcomeOf${spec.resultType}`)).toBeTypeOf('function');
    }
  });

  it('the generated schema accepts what the zod schema accepts', () => {
    const schema = artifacts[SCHEMA_FILE] as object;
    const ajv = new Ajv({ strict: false });
    ajv.addSchema(schema, 'api');
    const validate = ajv.getSchema('api#/definitions/RunStartParams')!;
    const params = { sessionId: 's1', source: { type: 'input', items: [{ type: 'text', text: 'hi' }] }, submissionId: 'a' };
    expect(methodSpecs['session/runs/start'].params.safeParse(params).success).toBe(true);
    expect(validate(params)).toBe(true);
    const bad = { sessionId: 's1', source: { type: 'input', items: [{ type: 'text' }] } };
    expect(methodSpecs['session/runs/start'].params.safeParse(bad).success).toBe(false);
    expect(validate(bad)).toBe(false);
  });
});
