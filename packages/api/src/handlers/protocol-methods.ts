import type { MethodHandlers } from '../rpc/dispatcher.js';
import { PROTOCOL_VERSION } from '../schemas/protocol.js';

/** `initialize`: identity and capabilities; the same answer for every caller. */
export function protocolMethods(serverInfo: { name: string; version: string }): MethodHandlers {
  return {
    initialize: async () => ({
      result: {
        protocolVersion: PROTOCOL_VERSION,
        serverInfo,
        // notifications: results carry no piggy-backed notifications; live updates use the SSE stream.
        capabilities: { notifications: false, historyRead: true, localExecution: false, eventLog: true },
      },
    }),
  };
}
