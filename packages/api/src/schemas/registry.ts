import { z } from 'zod';

/**
 * Every named wire type registers here under its contract name, so the generator can emit one
 * JSON Schema document whose `definitions` line up with the Lightspeed agent API v1 contract.
 */
export interface WireTypeMeta {
  id: string;
  description?: string;
}

export const wireTypes = z.registry<WireTypeMeta>();

/** Registers `schema` as the named wire type `id` and returns it unchanged. */
export function named<T extends z.ZodType>(id: string, schema: T, description?: string): T {
  wireTypes.add(schema, description === undefined ? { id } : { id, description });
  return schema;
}

/** Non-negative integer (the contract's uint32/uint64; JSON numbers stay within 2^53). */
export const uint = () => z.number().int().min(0);

/** Milliseconds since the epoch (the contract's int64 timestamps). */
export const epochMs = () => z.number().int();
