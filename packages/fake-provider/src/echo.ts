import type { FakeScript } from './script.js';
import type { OfferedTool, RequestView } from './request-view.js';

/** Every echo reply starts with this label so nobody mistakes the fake for a real model. */
export const ECHO_LABEL = '[fake model: scripted echo, not a real LLM]';

const USE_DIRECTIVE = /\buse\s+([A-Za-z0-9_.:-]+)(\s+(\{[^\n]*?\}))?(?=\s|$|[,.;!?])/g;

type Json = Record<string, unknown>;

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Plausible arguments for a tool from its JSON schema: required properties get neutral values. */
export function argumentsFromSchema(schema: Json, hints: { path?: string } = {}): Json {
  const properties = isRecord(schema.properties) ? schema.properties : {};
  const required = Array.isArray(schema.required) ? schema.required.filter((key): key is string => typeof key === 'string') : [];
  const args: Json = {};
  for (const key of required) {
    const property = isRecord(properties[key]) ? properties[key] : {};
    const type = Array.isArray(property.type) ? property.type[0] : property.type;
    if (/^(path|dir|directory|file|filename|root)$/i.test(key)) args[key] = hints.path ?? '.';
    else if (/^(pattern|glob|query)$/i.test(key)) args[key] = '*';
    else if (type === 'number' || type === 'integer') args[key] = 0;
    else if (type === 'boolean') args[key] = false;
    else if (type === 'array') args[key] = [];
    else if (type === 'object') args[key] = {};
    else args[key] = '';
  }
  return args;
}

function findTool(tools: OfferedTool[], name: string): OfferedTool | undefined {
  return tools.find((tool) => tool.name === name) ?? tools.find((tool) => tool.name.toLowerCase() === name.toLowerCase());
}

/** Natural requests the demo understands without a directive. */
function intentCall(view: RequestView): FakeScript['toolCalls'] {
  const text = view.lastUserText.toLowerCase();
  const byName = (pattern: RegExp): OfferedTool | undefined => view.tools.find((tool) => pattern.test(tool.name.toLowerCase()));
  if (/\b(list|show)\b.*\bfiles?\b|\bls\b/.test(text)) {
    const tool = byName(/(^|[._])(list|ls|glob)/);
    if (tool) return [{ name: tool.name, arguments: argumentsFromSchema(tool.schema) }];
  }
  const read = /\bread\s+([^\s]+)/.exec(view.lastUserText);
  if (read) {
    const tool = byName(/(^|[._])read/);
    if (tool) return [{ name: tool.name, arguments: argumentsFromSchema(tool.schema, { path: read[1]! }) }];
  }
  return undefined;
}

function directiveCalls(view: RequestView): FakeScript['toolCalls'] {
  const calls: NonNullable<FakeScript['toolCalls']> = [];
  for (const match of view.lastUserText.matchAll(USE_DIRECTIVE)) {
    const tool = findTool(view.tools, match[1]!);
    if (!tool) continue;
    let args: unknown = argumentsFromSchema(tool.schema);
    if (match[3] !== undefined) {
      try {
        args = JSON.parse(match[3]);
      } catch {
        // Not JSON: keep the schema-derived arguments; the directive still names the tool.
      }
    }
    calls.push({ name: tool.name, arguments: args });
  }
  return calls.length > 0 ? calls : undefined;
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/**
 * The default reply when no script was given: echo the user, call a tool the user asked for, or
 * summarise tool results after a tool round, so the fake can drive an offline demo end to end.
 */
export function echoScript(view: RequestView): FakeScript {
  const script = echoReply(view);
  // A model id containing "reasoning" (e.g. `fake-reasoning`) also shows scripted reasoning, so demos exercise reasoning streams.
  if (/reasoning/i.test(view.model)) script.reasoning = { text: `Scripted reasoning (fake model): deciding how to answer "${clip(view.lastUserText.trim(), 80)}".` };
  return script;
}

function echoReply(view: RequestView): FakeScript {
  if (view.trailingToolResults.length > 0) {
    const lines = view.trailingToolResults.map((result) => `- ${result.name ?? 'tool'} returned: ${clip(result.text.trim(), 400)}`);
    return { text: `${ECHO_LABEL} Tool results received:\n${lines.join('\n')}` };
  }
  if (view.tools.length > 0) {
    const calls = directiveCalls(view) ?? intentCall(view);
    if (calls) return { toolCalls: calls };
  }
  const said = view.lastUserText.trim();
  return { text: said === '' ? `${ECHO_LABEL} No user message to echo.` : `${ECHO_LABEL} You said: ${said}` };
}
