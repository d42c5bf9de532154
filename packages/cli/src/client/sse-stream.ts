import { CliError } from '../cli-error.js';
import type { RpcClient } from './rpc-client.js';

export interface SseMessage {
  event: string;
  id?: string;
  data: any;
}

/**
 * Opens `GET /sessions/:id/stream` after a cursor and yields parsed messages until the server ends
 * the stream or `signal` aborts. Resolves `ready` once the server confirmed the subscription, so a
 * caller can start a run knowing no delta will be missed.
 */
export async function openSessionStream(
  client: RpcClient,
  sessionId: string,
  after: number,
  signal: AbortSignal,
): Promise<AsyncIterable<SseMessage>> {
  const url = `${client.baseUrl}/sessions/${encodeURIComponent(sessionId)}/stream?after=${after}`;
  const response = await fetch(url, { headers: client.headers({ accept: 'text/event-stream' }), signal });
  if (!response.ok || !response.body) throw new CliError(`live stream for session ${sessionId}: HTTP ${response.status}`);
  const messages = parseSse(response.body);
  const iterator = messages[Symbol.asyncIterator]();
  const first = await iterator.next();
  if (first.done) throw new CliError(`live stream for session ${sessionId} ended before it was ready`);
  if (first.value.event === 'error') throw new CliError(`live stream for session ${sessionId}: ${first.value.data?.message ?? 'error'}`);
  const head = first.value;
  return {
    async *[Symbol.asyncIterator]() {
      if (head.event !== 'ready') yield head;
      for (;;) {
        const next = await iterator.next();
        if (next.done) return;
        yield next.value;
      }
    },
  };
}

async function* parseSse(body: ReadableStream<Uint8Array>): AsyncGenerator<SseMessage> {
  const decoder = new TextDecoder();
  const reader = body.getReader();
  let buffer = '';
  let event = 'message';
  let id: string | undefined;
  let data: string[] = [];
  try {
    for (;;) {
      let chunk: Awaited<ReturnType<typeof reader.read>>;
      try {
        chunk = await reader.read();
      } catch {
        // A dropped connection ends the stream like a clean close; followers resume from their cursor.
        return;
      }
      if (chunk.done) return;
      buffer += decoder.decode(chunk.value, { stream: true });
      let newline: number;
      while ((newline = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, newline).replace(/\r$/, '');
        buffer = buffer.slice(newline + 1);
        if (line === '') {
          if (data.length > 0) {
            const text = data.join('\n');
            let parsed: unknown = text;
            try {
              parsed = JSON.parse(text);
            } catch {
              // Keep non-JSON data as text.
            }
            yield { event, data: parsed, ...(id !== undefined ? { id } : {}) };
          }
          event = 'message';
          id = undefined;
          data = [];
        } else if (line.startsWith(':')) {
          continue;
        } else {
          const colon = line.indexOf(':');
          const field = colon < 0 ? line : line.slice(0, colon);
          const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
          if (field === 'event') event = value;
          else if (field === 'data') data.push(value);
          else if (field === 'id') id = value;
        }
      }
    }
  } finally {
    reader.releaseLock();
  }
}

/**
 * Opens `GET /tasks/stream` (the caller's universe), resuming after `lastEventId` when given, and
 * yields every message (`ready` first, then `task`, `reset`, `heartbeat`) until the server ends the
 * stream or `signal` aborts.
 */
export async function openTaskStream(client: RpcClient, lastEventId: string | undefined, signal: AbortSignal): Promise<AsyncIterable<SseMessage>> {
  const headers = client.headers({ accept: 'text/event-stream', ...(lastEventId ? { 'last-event-id': lastEventId } : {}) });
  const response = await fetch(`${client.baseUrl}/tasks/stream`, { headers, signal });
  if (!response.ok || !response.body) {
    const body = (await response.json().catch(() => undefined)) as { error?: { message?: string } } | undefined;
    throw new CliError(`task stream: HTTP ${response.status}${body?.error?.message ? `: ${body.error.message}` : ''}`);
  }
  return parseSse(response.body);
}
