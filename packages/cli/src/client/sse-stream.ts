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
