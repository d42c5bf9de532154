import { ApiError, type AgentApi, type AgentApiErrorKind } from '@lightspeed/api';

/** Anything that answers HTTP requests in-process: the gateway's Hono app (`app.request`). */
export interface InProcessFetch {
  request(path: string, init: RequestInit): Response | Promise<Response>;
}

/**
 * The agent API as the console calls it: `POST /rpc` of the very app it is mounted on, in-process,
 * with the signed-in key as the bearer credential (none on a single-user server). So every page
 * goes through the API's own auth, validation, universe and attribution — the console holds no
 * session logic and no second way in.
 */
export function gatewayApi(app: InProcessFetch, key: string | undefined): AgentApi {
  return {
    async call(method, params, signal) {
      const response = await app.request('/rpc', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(key !== undefined ? { authorization: `Bearer ${key}` } : {}) },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
        ...(signal ? { signal } : {}),
      });
      const answer = (await response.json()) as { result?: { result: never }; error?: { code: number; message: string; data?: { kind?: string } } };
      if (answer.error) throw new ApiError((answer.error.data?.kind ?? 'internal') as AgentApiErrorKind, answer.error.message, answer.error.code);
      return answer.result!.result;
    },
  };
}
