import { LightspeedError } from '@lightspeed/ports';

/** The model sent arguments that do not fit the tool's schema; becomes an error result it can fix. */
export class ToolInputError extends LightspeedError {
  constructor(message: string) {
    super('invalid', message);
    this.name = 'ToolInputError';
  }
}

/** Parses the raw JSON text a model emitted as a tool's arguments. */
export function parseArguments(raw: string): Record<string, unknown> {
  if (raw.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new ToolInputError('the tool arguments are not valid JSON; send a JSON object matching the input schema');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new ToolInputError('the tool arguments must be a JSON object');
  return value as Record<string, unknown>;
}

/** Typed field readers that name the offending field in their error. */
export const field = {
  string(args: Record<string, unknown>, key: string): string {
    const value = args[key];
    if (typeof value !== 'string') throw new ToolInputError(`\`${key}\` is required and must be a string`);
    return value;
  },
  optionalString(args: Record<string, unknown>, key: string): string | undefined {
    const value = args[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string') throw new ToolInputError(`\`${key}\` must be a string`);
    return value;
  },
  optionalInt(args: Record<string, unknown>, key: string, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
    const value = args[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      throw new ToolInputError(`\`${key}\` must be an integer between ${min} and ${max}`);
    }
    return value;
  },
  optionalBool(args: Record<string, unknown>, key: string): boolean | undefined {
    const value = args[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'boolean') throw new ToolInputError(`\`${key}\` must be true or false`);
    return value;
  },
  optionalEnum<T extends string>(args: Record<string, unknown>, key: string, values: readonly T[]): T | undefined {
    const value = args[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string' || !values.includes(value as T)) throw new ToolInputError(`\`${key}\` must be one of ${values.join(', ')}`);
    return value as T;
  },
  optionalStringArray(args: Record<string, unknown>, key: string): string[] | undefined {
    const value = args[key];
    if (value === undefined || value === null) return undefined;
    if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) throw new ToolInputError(`\`${key}\` must be an array of strings`);
    return value as string[];
  },
};
