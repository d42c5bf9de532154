import type { FakeProtocol } from './request-view.js';
import type { WireEvent } from './protocols/wire-event.js';
import { FakeScriptError } from './script-error.js';

type Json = Record<string, unknown>;

/**
 * A recorded provider response replayed byte-for-byte in meaning: either a stream (its events in
 * order) or one JSON body (a non-streamed reply).
 */
export type Recording = { kind: 'stream'; protocol: FakeProtocol; events: WireEvent[] } | { kind: 'json'; protocol: FakeProtocol; body: Json };

const ANTHROPIC_EVENTS = new Set(['message_start', 'content_block_start', 'content_block_delta', 'content_block_stop', 'message_delta', 'message_stop', 'ping']);

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function protocolOfEvent(data: Json): FakeProtocol | undefined {
  if (Array.isArray(data.choices) || data.object === 'chat.completion.chunk') return 'openai:completions';
  if (typeof data.type === 'string' && data.type.startsWith('response.')) return 'openai:responses';
  if (typeof data.type === 'string' && ANTHROPIC_EVENTS.has(data.type)) return 'anthropic:messages';
  return undefined;
}

function protocolOfBody(body: Json): FakeProtocol | undefined {
  if (body.object === 'chat.completion') return 'openai:completions';
  if (body.object === 'response') return 'openai:responses';
  if (body.type === 'message' && body.role === 'assistant') return 'anthropic:messages';
  return undefined;
}

function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new FakeScriptError(`recording ${where} is not JSON: ${text.slice(0, 80)}`);
  }
}

/** SSE text (`event:` / `data:` lines, blank-line separated) into raw data payloads with their names. */
function sseEvents(text: string): { event?: string; data: string }[] {
  const out: { event?: string; data: string }[] = [];
  for (const block of text.split(/\r?\n\r?\n/)) {
    let event: string | undefined;
    const data: string[] = [];
    for (const line of block.split(/\r?\n/)) {
      if (line.startsWith('event:')) event = line.slice(6).trim();
      else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
    }
    if (data.length > 0) out.push(event === undefined ? { data: data.join('\n') } : { event, data: data.join('\n') });
  }
  return out;
}

/**
 * Parses a recording: SSE text as captured off the wire, JSON lines (one event per line, the
 * `.chunks.txt` form SDK repositories keep), or one JSON body. The protocol is recognised from the
 * events themselves; event names (`event: message_start`, `event: response.completed`) are the
 * event's `type` when the capture has none, as the Anthropic and Responses SDKs dispatch on them.
 * Chat streams end with `[DONE]`, added when the capture left it out.
 */
export function parseRecording(text: string): Recording {
  const trimmed = text.trim();
  if (trimmed === '') throw new FakeScriptError('script.replay is empty: give the recorded stream or JSON body');
  if (trimmed.startsWith('{')) {
    try {
      const whole: unknown = JSON.parse(trimmed);
      if (isRecord(whole)) {
        const protocol = protocolOfBody(whole);
        if (protocol) return { kind: 'json', protocol, body: whole };
      }
    } catch {
      // Several JSON lines: a stream.
    }
  }
  const raw = /^(data|event):/m.test(trimmed)
    ? sseEvents(trimmed)
    : trimmed
        .split(/\r?\n/)
        .filter((line) => line.trim() !== '')
        .map((line) => ({ data: line.trim() }) as { event?: string; data: string });
  const events: WireEvent[] = [];
  let protocol: FakeProtocol | undefined;
  raw.forEach((entry, position) => {
    if (entry.data === '[DONE]') {
      events.push({ data: '[DONE]' });
      return;
    }
    const data = parseJson(entry.data, `event ${position + 1}`);
    if (!isRecord(data)) throw new FakeScriptError(`recording event ${position + 1} is not a JSON object`);
    const seen = protocolOfEvent(data);
    if (seen && protocol && seen !== protocol) throw new FakeScriptError(`recording event ${position + 1} is ${seen} but earlier events are ${protocol}`);
    protocol ??= seen;
    const name = entry.event ?? (protocol !== 'openai:completions' && typeof data.type === 'string' ? data.type : undefined);
    events.push(name === undefined ? { data } : { event: name, data });
  });
  if (!protocol) throw new FakeScriptError('recording: no event looks like Chat Completions, Responses or Anthropic Messages');
  if (protocol === 'openai:completions' && events.at(-1)?.data !== '[DONE]') events.push({ data: '[DONE]' });
  return { kind: 'stream', protocol, events };
}
