/** The three wire protocols the fake speaks. */
export type FakeProtocol = 'openai:responses' | 'openai:completions' | 'anthropic:messages';

export interface OfferedTool {
  name: string;
  schema: Record<string, unknown>;
}

export interface ToolResultView {
  name?: string;
  text: string;
}

/** What the fake needs to know about a request, independent of the protocol it arrived in. */
export interface RequestView {
  protocol: FakeProtocol;
  model: string;
  stream: boolean;
  includeUsage: boolean;
  tools: OfferedTool[];
  lastUserText: string;
  /** Tool results at the end of the conversation (the model is being asked to continue after tools). */
  trailingToolResults: ToolResultView[];
  requestChars: number;
}

type Json = Record<string, unknown>;

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** Text of a content value that is either a string or an array of typed parts. */
function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  return asArray(content)
    .map((part) => (isRecord(part) && typeof part.text === 'string' ? part.text : isRecord(part) && part.content !== undefined ? textOf(part.content) : ''))
    .filter((text) => text !== '')
    .join('\n');
}

function schemaOf(value: unknown): Record<string, unknown> {
  return isRecord(value) ? value : {};
}

function viewResponses(body: Json, chars: number): RequestView {
  const input = typeof body.input === 'string' ? [{ role: 'user', content: body.input }] : asArray(body.input);
  const names = new Map<string, string>();
  let lastUserText = '';
  let trailing: ToolResultView[] = [];
  for (const item of input) {
    if (!isRecord(item)) continue;
    if (item.type === 'function_call' && typeof item.call_id === 'string' && typeof item.name === 'string') names.set(item.call_id, item.name);
    if (item.type === 'function_call_output') {
      trailing.push({ name: names.get(String(item.call_id)), text: textOf(item.output) } as ToolResultView);
      continue;
    }
    if ((item.type === undefined || item.type === 'message') && item.role === 'user') lastUserText = textOf(item.content);
    if (item.type !== 'reasoning' && item.type !== 'function_call') trailing = [];
  }
  return {
    protocol: 'openai:responses',
    model: String(body.model ?? ''),
    stream: body.stream === true,
    includeUsage: true,
    tools: asArray(body.tools)
      .filter((tool): tool is Json => isRecord(tool) && tool.type === 'function' && typeof tool.name === 'string')
      .map((tool) => ({ name: String(tool.name), schema: schemaOf(tool.parameters) })),
    lastUserText,
    trailingToolResults: trailing,
    requestChars: chars,
  };
}

function viewCompletions(body: Json, chars: number): RequestView {
  const names = new Map<string, string>();
  let lastUserText = '';
  let trailing: ToolResultView[] = [];
  for (const message of asArray(body.messages)) {
    if (!isRecord(message)) continue;
    for (const call of asArray(message.tool_calls)) {
      if (isRecord(call) && isRecord(call.function)) names.set(String(call.id), String(call.function.name));
    }
    if (message.role === 'tool') {
      trailing.push({ name: names.get(String(message.tool_call_id)), text: textOf(message.content) } as ToolResultView);
      continue;
    }
    if (message.role === 'user') lastUserText = textOf(message.content);
    trailing = [];
  }
  const streamOptions = isRecord(body.stream_options) ? body.stream_options : {};
  return {
    protocol: 'openai:completions',
    model: String(body.model ?? ''),
    stream: body.stream === true,
    includeUsage: body.stream !== true || streamOptions.include_usage === true,
    tools: asArray(body.tools)
      .filter((tool): tool is Json => isRecord(tool) && isRecord(tool.function))
      .map((tool) => {
        const fn = tool.function as Json;
        return { name: String(fn.name), schema: schemaOf(fn.parameters) };
      }),
    lastUserText,
    trailingToolResults: trailing,
    requestChars: chars,
  };
}

function viewMessages(body: Json, chars: number): RequestView {
  const names = new Map<string, string>();
  let lastUserText = '';
  let trailing: ToolResultView[] = [];
  for (const message of asArray(body.messages)) {
    if (!isRecord(message)) continue;
    const blocks = typeof message.content === 'string' ? [{ type: 'text', text: message.content }] : asArray(message.content);
    const results: ToolResultView[] = [];
    const texts: string[] = [];
    for (const block of blocks) {
      if (!isRecord(block)) continue;
      if (block.type === 'tool_use') names.set(String(block.id), String(block.name));
      if (block.type === 'tool_result') results.push({ name: names.get(String(block.tool_use_id)), text: textOf(block.content) } as ToolResultView);
      if (block.type === 'text' && typeof block.text === 'string') texts.push(block.text);
    }
    if (message.role === 'user') {
      if (texts.length > 0) lastUserText = texts.join('\n');
      trailing = results.length > 0 && texts.length === 0 ? results : [];
    } else {
      trailing = [];
    }
  }
  return {
    protocol: 'anthropic:messages',
    model: String(body.model ?? ''),
    stream: body.stream === true,
    includeUsage: true,
    tools: asArray(body.tools)
      .filter((tool): tool is Json => isRecord(tool) && typeof tool.name === 'string')
      .map((tool) => ({ name: String(tool.name), schema: schemaOf(tool.input_schema) })),
    lastUserText,
    trailingToolResults: trailing,
    requestChars: chars,
  };
}

export function viewRequest(protocol: FakeProtocol, body: Json, chars: number): RequestView {
  switch (protocol) {
    case 'openai:responses':
      return viewResponses(body, chars);
    case 'openai:completions':
      return viewCompletions(body, chars);
    case 'anthropic:messages':
      return viewMessages(body, chars);
  }
}
