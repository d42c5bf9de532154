import { parseSse } from '@lightspeed/client';
import { CliError } from '../cli-error.js';
import { cliFailure, type RpcClient } from './rpc-client.js';

export interface SseMessage {
  event: string;
  id?: string;
  data: any;
}

/**
 * Opens `GET /sessions/:id/stream` after a cursor (one connection, `@lightspeed/client`'s
 * `openStream`) and yields parsed messages until the server ends the stream or `signal` aborts.
 * Resolves once the server confirmed the subscription, so a caller can start a run knowing no
 * delta will be missed. To survive dropped connections, use `client.api.follow` instead.
 */
export async function openSessionStream(client: RpcClient, sessionId: string, after: number, signal: AbortSignal): Promise<AsyncIterable<SseMessage>> {
  try {
    return await client.api.openStream(sessionId, { after, signal });
  } catch (error) {
    throw cliFailure(error);
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
  return parsedMessages(response.body);
}

async function* parsedMessages(body: ReadableStream<Uint8Array>): AsyncGenerator<SseMessage> {
  for await (const frame of parseSse(body)) {
    let data: unknown = frame.data;
    try {
      data = JSON.parse(frame.data);
    } catch {
      // Not JSON (a comment-like payload): handed on as text.
    }
    yield { event: frame.event, ...(frame.id !== undefined ? { id: frame.id } : {}), data };
  }
}
