import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import ajvFormats from 'ajv-formats';

// ajv-formats is CommonJS: under NodeNext typing its default export sits on `.default`.
const addFormats = ((ajvFormats as unknown as { default?: typeof ajvFormats }).default ?? ajvFormats) as unknown as (ajv: Ajv) => Ajv;

/** The repo root is four levels above this file (packages/api/test/support). */
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
/** `LIGHTSPEED_CONTRACT_DIR` overrides it for checkouts elsewhere (e.g. a git worktree). */
export const CONTRACT_DIR = process.env.LIGHTSPEED_CONTRACT_DIR ?? join(repoRoot, '..', 'shared', 'contract');

interface MethodEntry {
  method: string;
  params: { schema: { $ref: string } };
  result: { schema: { $ref: string } };
}

/**
 * Validates wire payloads against the shared Lightspeed agent API v1 contract (read at test time,
 * never copied into the repo): params and results by the definitions its methods.json names.
 */
export class ContractValidator {
  private readonly ajv: Ajv;
  private readonly methods = new Map<string, MethodEntry>();
  private readonly cache = new Map<string, ValidateFunction>();

  constructor() {
    const schema = JSON.parse(readFileSync(join(CONTRACT_DIR, 'lightspeed-api-v1.schema.json'), 'utf8'));
    const manifest = JSON.parse(readFileSync(join(CONTRACT_DIR, 'lightspeed-api-v1.methods.json'), 'utf8')) as { methods: MethodEntry[] };
    for (const entry of manifest.methods) this.methods.set(entry.method, entry);
    this.ajv = new Ajv({ allErrors: true, strict: false });
    addFormats(this.ajv);
    const integer = (min: number, max: number) => ({ type: 'number' as const, validate: (n: number) => Number.isInteger(n) && n >= min && n <= max });
    this.ajv.addFormat('uint32', integer(0, 2 ** 32 - 1));
    this.ajv.addFormat('uint64', integer(0, Number.MAX_SAFE_INTEGER));
    this.ajv.addFormat('int64', integer(Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER));
    this.ajv.addSchema(schema, 'contract');
  }

  hasMethod(method: string): boolean {
    return this.methods.has(method);
  }

  /** Every method the contract defines. */
  methodNames(): string[] {
    return [...this.methods.keys()];
  }

  private validator(ref: string): ValidateFunction {
    let validate = this.cache.get(ref);
    if (!validate) {
      validate = this.ajv.getSchema(`contract${ref}`);
      if (!validate) throw new Error(`the contract has no definition ${ref}`);
      this.cache.set(ref, validate);
    }
    return validate;
  }

  /** Problems of `value` against `ref` (e.g. `#/definitions/SessionView`), or [] when valid. */
  check(ref: string, value: unknown): string[] {
    const validate = this.validator(ref);
    if (validate(value)) return [];
    return (validate.errors ?? []).slice(0, 10).map((error) => `${error.instancePath || '/'} ${error.message} ${JSON.stringify(error.params)}`);
  }

  paramsRef(method: string): string {
    return this.entry(method).params.schema.$ref;
  }

  resultRef(method: string): string {
    return this.entry(method).result.schema.$ref;
  }

  private entry(method: string): MethodEntry {
    const entry = this.methods.get(method);
    if (!entry) throw new Error(`the contract has no method ${method}`);
    return entry;
  }
}
