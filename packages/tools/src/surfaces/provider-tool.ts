import type { LogicalTool } from '../tool-definition.js';

/** JSON Schema of a tool's input, as sent to the provider. */
export type InputSchema = Record<string, unknown>;

/**
 * A logical tool under one provider family's name and argument shape. `parse` validates the
 * model's arguments and maps them onto the logical tool's arguments (throwing ToolInputError).
 */
export interface ProviderTool<A = unknown> {
  name: string;
  description: string;
  inputSchema: InputSchema;
  tool: LogicalTool<A>;
  parse(args: Record<string, unknown>, context: SurfaceContext): A;
}

export interface SurfaceContext {
  /** Directory relative paths resolve against (the host mount or first writable mount). */
  cwd: string;
}

export type ToolFamily = 'anthropic' | 'openai';

export function familyOf(apiKind: string): ToolFamily {
  return apiKind.startsWith('anthropic:') ? 'anthropic' : 'openai';
}

/** Which capability groups a session has, deciding which provider tools are offered. */
export interface ToolGroups {
  read: boolean;
  edit: boolean;
  exec: boolean;
  webFetch: boolean;
}

export function defineTool<A>(tool: ProviderTool<A>): ProviderTool<unknown> {
  return tool as unknown as ProviderTool<unknown>;
}

export function objectSchema(properties: Record<string, unknown>, required: string[]): InputSchema {
  return { type: 'object', properties, required, additionalProperties: false };
}
