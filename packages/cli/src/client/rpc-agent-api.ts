import { ApiError, type AgentApi } from '@lightspeed/api';
import { CliError } from '../cli-error.js';
import { RpcError, type RpcClient } from './rpc-client.js';

/**
 * The CLI's JSON-RPC client as the MCP server's AgentApi, so `lightspeed mcp serve` serves an
 * embedded or a remote server through the same protocol as every other command. A transport
 * failure (server unreachable) becomes an `internal` API error whose message says so.
 */
export function rpcAgentApi(client: RpcClient): AgentApi {
  return {
    async call(method, params, signal) {
      try {
        return await client.call(method, params as Record<string, unknown>, signal);
      } catch (error) {
        if (error instanceof RpcError) throw new ApiError((error.kind as ApiError['kind'] | undefined) ?? 'internal', error.message, error.code);
        if (error instanceof CliError) throw new ApiError('internal', error.message);
        throw error;
      }
    },
  };
}
