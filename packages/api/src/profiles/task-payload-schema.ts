import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import ajvFormats from 'ajv-formats';

/*
 * An agent's declared task payload schema (`task.schema` of an agent file / profile): checked when
 * the profile is stored, applied at `tasks/create`. Ajv compiles a schema to a function; compiled
 * ones are kept for the schemas in use (bounded), each in its own Ajv instance so an evicted schema
 * leaves nothing behind and two profiles' `$id`s never collide.
 */

/** Largest schema a profile may declare (its JSON text). */
export const MAX_TASK_SCHEMA_BYTES = 64 * 1024;
const CACHED_SCHEMAS = 200;
const MAX_MESSAGE = 600;

// ajv-formats is CommonJS: under NodeNext typing its default export sits on `.default`.
const addFormats = ((ajvFormats as unknown as { default?: typeof ajvFormats }).default ?? ajvFormats) as unknown as (ajv: Ajv) => Ajv;

const compiled = new Map<string, ValidateFunction>();

/** Draft-07 when the schema says so (`$schema`), else 2020-12. Strict: an unknown keyword is a mistake, not a no-op. */
function compile(schema: Record<string, unknown>): ValidateFunction {
  const key = JSON.stringify(schema);
  const hit = compiled.get(key);
  if (hit) {
    compiled.delete(key);
    compiled.set(key, hit);
    return hit;
  }
  const draft07 = typeof schema.$schema === 'string' && schema.$schema.includes('draft-07');
  const options = { strict: true, allErrors: true, validateFormats: true } as const;
  const ajv = draft07 ? new Ajv(options) : (new Ajv2020(options) as unknown as Ajv);
  addFormats(ajv);
  const validate = ajv.compile(schema);
  compiled.set(key, validate);
  if (compiled.size > CACHED_SCHEMAS) compiled.delete(compiled.keys().next().value!);
  return validate;
}

/** Why `schema` cannot serve as a task payload schema, or undefined when it can. */
export function taskSchemaProblem(schema: Record<string, unknown>): string | undefined {
  const bytes = new TextEncoder().encode(JSON.stringify(schema)).length;
  if (bytes > MAX_TASK_SCHEMA_BYTES) return `is ${bytes} bytes of JSON, over the limit of ${MAX_TASK_SCHEMA_BYTES}`;
  try {
    compile(schema);
    return undefined;
  } catch (error) {
    return `is not a usable JSON Schema: ${clip((error as Error).message)}`;
  }
}

/** The payload's problems against the schema (`payload/issue must be integer; …`), or undefined when it is valid. */
export function taskPayloadProblems(schema: Record<string, unknown>, payload: unknown): string | undefined {
  const validate = compile(schema);
  if (validate(payload === undefined ? null : payload)) return undefined;
  return clip((validate.errors ?? []).slice(0, 8).map(describe).join('; '));
}

function describe(error: ErrorObject): string {
  const where = `payload${error.instancePath}`;
  if (error.keyword === 'additionalProperties') return `${where} has an unexpected field ${JSON.stringify((error.params as { additionalProperty: string }).additionalProperty)}`;
  return `${where} ${error.message ?? 'is invalid'}`;
}

const clip = (text: string) => (text.length > MAX_MESSAGE ? `${text.slice(0, MAX_MESSAGE - 1)}…` : text);
