import { LightspeedError } from '@lightspeed/ports';
import { z } from 'zod';
import { anthropicTools } from '../surfaces/anthropic-tools.js';
import { openaiTools } from '../surfaces/openai-tools.js';
import { defineTool, type InputSchema, type ProviderTool } from '../surfaces/provider-tool.js';
import { fail, ok, type LogicalTool, type ToolResult } from '../tool-definition.js';
import { ToolInputError } from '../tool-input.js';
import { waitTools } from '../waits/wait-tools.js';
import { fleetTools } from '../fleet/fleet-tools.js';
import { MEMORY_TOOL_NAMES, memoryTools } from '../memory/memory-tools.js';

/** What a custom tool's handler gets besides its validated input. */
export interface CustomToolContext {
  sessionId: string;
  /**
   * The model's call id: stable across a retry of the same call (a host that crashed mid-call runs
   * it again), so a handler with side effects can use it as an idempotency key.
   */
  callId: string;
  /** Aborts when the run is cancelled; a long handler should stop early. */
  signal?: AbortSignal;
}

/** A JSON value a handler may return (sent to the model as JSON text). */
export type CustomToolJson = string | number | boolean | null | CustomToolJson[] | { [key: string]: CustomToolJson };

/** A string is shown to the model as is; any other JSON value as its JSON text. */
export type CustomToolOutput = string | CustomToolJson;

export interface CustomToolSpec<S extends z.ZodType> {
  /** The name the model calls: 1-64 characters of [A-Za-z0-9_-], not a built-in tool's. */
  name: string;
  description: string;
  /** The input schema; it must describe an object. Its JSON Schema is what the model sees. */
  input: S;
  /** True when calls may run concurrently with other parallel-safe calls (default: exclusive). */
  parallelSafe?: boolean;
  handler(input: z.output<S>, context: CustomToolContext): CustomToolOutput | Promise<CustomToolOutput>;
}

/** A tool registered in TypeScript: offered under the same name to every provider family. */
export interface CustomTool {
  readonly name: string;
  readonly description: string;
  readonly inputSchema: InputSchema;
  readonly parallelSafe: boolean;
  /** The provider-shaped binding the tool runtime resolves and invokes like any built-in tool. */
  readonly providerTool: ProviderTool;
}

/** A custom tool that cannot be registered (bad name, taken name, schema not an object). */
export class CustomToolError extends LightspeedError {
  constructor(
    readonly tool: string,
    message: string,
  ) {
    super('invalid', `custom tool ${JSON.stringify(tool)}: ${message}`, { tool });
    this.name = 'CustomToolError';
  }
}

const TOOL_NAME = /^[A-Za-z0-9_-]{1,64}$/;
/** MCP tools are offered as `mcp__<server>__<tool>` (see mcpToolName); custom tools stay out of that space. */
const MCP_PREFIX = 'mcp__';

/** Every built-in tool a session can be offered: both families' tools with every group on, the wait, fleet and memory tools. */
function everyBuiltIn(): ProviderTool[] {
  const all = { read: true, edit: true, exec: true, webFetch: true };
  return [...anthropicTools(all), ...openaiTools(all), ...waitTools({ timers: true, askUser: true }), ...fleetTools(true), ...memoryTools(MEMORY_TOOL_NAMES)];
}

/** The names custom tools may not take (the built-in tools of both provider families). */
export function builtInToolNames(): string[] {
  return [...new Set(everyBuiltIn().map((tool) => tool.name))].sort();
}

/**
 * Compared case-insensitively: a custom `read` next to Anthropic's `Read` would leave the model
 * guessing which is which.
 */
const BUILT_IN_NAMES = new Set(builtInToolNames().map((name) => name.toLowerCase()));

/**
 * Registers a tool written in TypeScript. Throws `CustomToolError` when the name is malformed or
 * taken by a built-in tool, or the schema is not an object. At call time the model's arguments are
 * validated with the zod schema first (a mismatch is an error result naming the fields, so the
 * model can correct itself), and a handler that throws gives an error result with its message —
 * never a crashed run. Results are recorded like every tool result, so a replay never re-runs it.
 */
export function defineCustomTool<S extends z.ZodType>(spec: CustomToolSpec<S>): CustomTool {
  const name = spec.name;
  if (typeof name !== 'string' || !TOOL_NAME.test(name)) throw new CustomToolError(String(name), 'a tool name is 1-64 characters of [A-Za-z0-9_-]');
  if (BUILT_IN_NAMES.has(name.toLowerCase())) throw new CustomToolError(name, `the name is taken by a built-in tool (built-in: ${builtInToolNames().join(', ')}); pick another`);
  if (name.toLowerCase().startsWith(MCP_PREFIX)) throw new CustomToolError(name, `names starting with ${MCP_PREFIX} are reserved for MCP server tools`);
  if (typeof spec.description !== 'string' || spec.description.trim() === '') throw new CustomToolError(name, 'a description is required: it is how the model knows when to call the tool');
  if (typeof spec.handler !== 'function') throw new CustomToolError(name, 'a handler function is required');
  const inputSchema = jsonSchemaOf(name, spec.input);
  const parallelSafe = spec.parallelSafe === true;

  const logical: LogicalTool<z.output<S>> = {
    logical: `custom.${name}`,
    parallelism: parallelSafe ? 'parallelSafe' : 'exclusive',
    async run(input, env): Promise<ToolResult> {
      let output: CustomToolOutput | undefined;
      try {
        output = await spec.handler(input, { sessionId: env.sessionId, callId: env.callId, ...(env.signal ? { signal: env.signal } : {}) });
      } catch (error) {
        // The handler is the embedder's code: whatever it throws is this call's failure, not the run's.
        return fail(`Tool ${name} failed: ${(error as Error)?.message ?? String(error)}`);
      }
      if (output === undefined) return ok('');
      if (typeof output === 'string') return ok(output);
      try {
        // Round-trip now, so a value JSON cannot carry (a function, a cycle, a bigint) fails this call, not the CAS write.
        return { json: JSON.parse(JSON.stringify(output)), isError: false };
      } catch (error) {
        return fail(`Tool ${name} returned a value that is not JSON: ${(error as Error).message}`);
      }
    },
  };

  const providerTool = defineTool<z.output<S>>({
    name,
    description: spec.description,
    inputSchema,
    tool: logical,
    parse(args) {
      const result = spec.input.safeParse(args);
      if (!result.success) throw new ToolInputError(z.prettifyError(result.error));
      return result.data;
    },
  });
  return { name, description: spec.description, inputSchema, parallelSafe, providerTool };
}

/** The JSON Schema the model sees: zod's input shape (defaults make fields optional), an object at the top. */
function jsonSchemaOf(name: string, schema: z.ZodType): InputSchema {
  if (!(schema instanceof z.ZodType)) throw new CustomToolError(name, '`input` must be a zod schema such as z.object({...})');
  let json: Record<string, unknown>;
  try {
    json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'throw' }) as Record<string, unknown>;
  } catch (error) {
    throw new CustomToolError(name, `the input schema has no JSON Schema form (${(error as Error).message}); use plain zod types`);
  }
  if (json.type !== 'object') throw new CustomToolError(name, 'the input schema must be an object, e.g. z.object({ city: z.string() })');
  // The draft marker means nothing to providers; some refuse unknown top-level keywords.
  const { $schema: _draft, ...rest } = json;
  return { ...rest, properties: (rest.properties as Record<string, unknown> | undefined) ?? {} };
}

/** Checks a set of custom tools for one runtime: the names must be distinct. */
export function customToolSet(tools: readonly CustomTool[] = []): ReadonlyMap<string, CustomTool> {
  const byName = new Map<string, CustomTool>();
  for (const tool of tools) {
    if (!tool || typeof tool.providerTool !== 'object') throw new CustomToolError(String((tool as { name?: unknown } | undefined)?.name), 'register tools made with defineCustomTool(...)');
    if (byName.has(tool.name.toLowerCase())) throw new CustomToolError(tool.name, 'registered twice; tool names must be distinct');
    byName.set(tool.name.toLowerCase(), tool);
  }
  return byName;
}
