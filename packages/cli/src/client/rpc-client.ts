import { CliError } from '../cli-error.js';

/** A JSON-RPC error the server answered with; `kind` is the contract's error kind. */
export class RpcError extends CliError {
  constructor(
    readonly method: string,
    readonly code: number,
    readonly kind: string | undefined,
    message: string,
    hint?: string,
  ) {
    super(`${method}: ${message}`, 1, hint);
    this.name = 'RpcError';
  }
}

export interface RpcClientOptions {
  /** Server root, e.g. `http://127.0.0.1:7420`. */
  baseUrl: string;
  apiKey?: string;
}

/**
 * The CLI's only way to the agent: JSON-RPC over `POST /rpc` and the SSE stream, whether the
 * server is this process (embedded) or remote, so both paths behave the same.
 */
export class RpcClient {
  private nextId = 1;
  readonly baseUrl: string;

  constructor(private readonly options: RpcClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
  }

  headers(extra: Record<string, string> = {}): Record<string, string> {
    return { ...extra, ...(this.options.apiKey ? { authorization: `Bearer ${this.options.apiKey}` } : {}) };
  }

  private async send(path: string, init: RequestInit): Promise<Response> {
    try {
      return await fetch(`${this.baseUrl}${path}`, init);
    } catch (error) {
      if ((error as Error).name === 'AbortError') throw error;
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new CliError(`cannot reach ${this.baseUrl}: ${cause?.message ?? (error as Error).message}`, 1, 'check --api-url, or start a server with `lightspeed serve`');
    }
  }

  /** Calls a method and returns the envelope's `result`. */
  async call<T = any>(method: string, params: Record<string, unknown> = {}, signal?: AbortSignal): Promise<T> {
    const id = this.nextId++;
    const response = await this.send('/rpc', {
      method: 'POST',
      headers: this.headers({ 'content-type': 'application/json' }),
      body: JSON.stringify({ jsonrpc: '2.0', id, method, params }),
      ...(signal ? { signal } : {}),
    });
    let body: any;
    try {
      body = await response.json();
    } catch {
      throw new CliError(`${method}: the server at ${this.baseUrl} answered HTTP ${response.status} without a JSON-RPC body`);
    }
    if (body?.error) {
      const hint = body.error.code === -32001 ? 'pass a valid key with --api-key or LIGHTSPEED_API_KEY' : undefined;
      throw new RpcError(method, body.error.code, body.error.data?.kind, String(body.error.message ?? 'error'), hint);
    }
    return body?.result?.result as T;
  }

  /**
   * Uploads one blob as the raw body of `PUT /blobs` (the server's extension for blobs too large for
   * a JSON-RPC body). `unsupported` when the server does not offer the route.
   */
  async putBlob(bytes: Uint8Array): Promise<{ blobRef: string; bytes: number } | 'unsupported'> {
    const response = await this.send('/blobs', { method: 'PUT', headers: this.headers({ 'content-type': 'application/octet-stream' }), body: bytes });
    let body: any;
    try {
      body = await response.json();
    } catch {
      throw new CliError(`PUT /blobs: the server at ${this.baseUrl} answered HTTP ${response.status} without a JSON body`);
    }
    if (response.status === 404 && !body?.blobRef) return 'unsupported';
    if (!response.ok) {
      const hint = response.status === 401 ? 'pass a valid key with --api-key or LIGHTSPEED_API_KEY' : response.status === 413 ? 'leave large files out of the upload (.gitignore) or raise the server limit' : undefined;
      throw new RpcError('PUT /blobs', response.status, body?.error?.kind, String(body?.error?.message ?? `HTTP ${response.status}`), hint);
    }
    return { blobRef: String(body.blobRef), bytes: Number(body.bytes) };
  }

  /** The session's head cursor (the seq a live stream should start after). */
  async headCursor(sessionId: string): Promise<number> {
    const page = await this.call<{ headCursor?: { seq: number } | null }>('session/events/read', { sessionId, after: { seq: Number.MAX_SAFE_INTEGER }, limit: 1 });
    return page.headCursor?.seq ?? 0;
  }
}
