import type { z } from 'zod';
import { ApiError } from '../rpc/api-error.js';
import type { CallContext, Dispatcher } from '../rpc/dispatcher.js';
import type { methodSpecs, MethodName, ResultOf } from '../schemas/methods.js';

/** The params a caller sends (before defaults are applied), by method. */
export type ParamsInputOf<M extends MethodName> = z.input<(typeof methodSpecs)[M]['params']>;

/**
 * The agent API v1 as the MCP server sees it: one typed call per JSON-RPC method. In a gateway it
 * is the gateway's own dispatcher (same validation, handlers and errors as `POST /rpc`); in the CLI
 * it is a JSON-RPC client of an embedded or remote server. Either way the MCP server holds no
 * session logic of its own. A failed call throws an error whose `message` is safe to show and whose
 * `kind` is the contract's error kind.
 */
export interface AgentApi {
  call<M extends MethodName>(method: M, params: ParamsInputOf<M>, signal?: AbortSignal): Promise<ResultOf<M>>;
}

/** An error an AgentApi call answered with (a contract error kind and a message safe to show). */
export type AgentApiFailure = Error & { kind: string };

export function isAgentApiFailure(error: unknown): error is AgentApiFailure {
  return error instanceof Error && typeof (error as { kind?: unknown }).kind === 'string';
}

/** The gateway's dispatcher as an AgentApi for one authenticated caller (universe and actor). */
export function dispatcherApi(dispatcher: Dispatcher, caller: Omit<CallContext, 'signal'>): AgentApi {
  return {
    async call(method, params, signal) {
      const answer = await dispatcher.invoke(method, params, { ...caller, signal: signal ?? new AbortController().signal });
      if ('error' in answer) throw new ApiError(answer.error.data.kind, answer.error.message, answer.error.code);
      return (answer.result as { result: never }).result;
    },
  };
}
