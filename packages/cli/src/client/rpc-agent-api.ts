import { ApiError, type AgentApi } from '@lightspeed/api';
import { LightspeedClientError, LightspeedRpcError } from '@lightspeed/client';
import type { RpcClient } from './rpc-client.js';

/**
 * The CLI's client as the MCP server's AgentApi, so `lightspeed mcp serve` serves an embedded or a
 * remote server through the same protocol as every other command. A transport failure (server
 * unreachable) becomes an `internal` API error whose message says so.
 */
export function rpcAgentApi(client: RpcClient): AgentApi {
  return {
    async call(method, params, signal) {
      try {
        return await client.api.request(method, params as Record<string, unknown>, signal ? { signal } : {});
      } catch (error) {
        if (error instanceof LightspeedRpcError) throw new ApiError((error.kind as ApiError['kind'] | undefined) ?? 'internal', error.serverMessage, error.code);
        if (error instanceof LightspeedClientError) throw new ApiError('internal', error.message);
        throw error;
      }
    },
  };
}
