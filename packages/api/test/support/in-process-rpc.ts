import type { Hono } from 'hono';

/**
 * JSON-RPC over a gateway app in process (`app.request`, no socket): `rpc` answers the whole
 * envelope, `call` the method's result or throws naming the method. `app` is read at each call,
 * so a suite may build it in `beforeAll`.
 */
export function inProcessRpc(app: () => Hono): { rpc(method: string, params: Record<string, unknown>): Promise<any>; call(method: string, params: Record<string, unknown>): Promise<any> } {
  let nextId = 1;
  const rpc = async (method: string, params: Record<string, unknown>): Promise<any> => {
    const response = await app().request('/rpc', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: nextId++, method, params }) });
    return response.json();
  };
  const call = async (method: string, params: Record<string, unknown>): Promise<any> => {
    const body = await rpc(method, params);
    if (body.error) throw new Error(`${method}: ${body.error.message}`);
    return body.result.result;
  };
  return { rpc, call };
}
