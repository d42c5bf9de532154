import { ConnectionError, LightspeedClient, LightspeedClientError, LightspeedRpcError, NotFoundError, PayloadTooLargeError, UnauthorizedError, type BlobPutResult } from '@lightspeed/client';
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
 * The CLI's only way to the agent: `@lightspeed/client` (JSON-RPC over `POST /rpc` and the SSE
 * stream), whether the server is this process (embedded) or remote, so both paths behave the same.
 * This adapter turns the client's typed errors into `CliError`s with hints for the terminal; new
 * code may use the typed methods of `api` directly.
 */
export class RpcClient {
  /** The typed client (no call timeout: a CLI command waits as long as its user does). */
  readonly api: LightspeedClient;
  readonly baseUrl: string;

  constructor(options: RpcClientOptions) {
    this.api = new LightspeedClient({ baseUrl: options.baseUrl, timeoutMs: 0, ...(options.apiKey ? { apiKey: options.apiKey } : {}) });
    this.baseUrl = this.api.baseUrl;
  }

  headers(extra: Record<string, string> = {}): Record<string, string> {
    return this.api.headers(extra);
  }

  /** Calls a method by name and returns the envelope's `result`. */
  async call<T = any>(method: string, params: Record<string, unknown> = {}, signal?: AbortSignal): Promise<T> {
    try {
      return await this.api.request<T>(method, params, signal ? { signal } : {});
    } catch (error) {
      throw cliFailure(error);
    }
  }

  /**
   * Uploads one blob as the raw body of `PUT /blobs` (the server's extension for blobs too large for
   * a JSON-RPC body). `unsupported` when the server does not offer the route.
   */
  async putBlob(bytes: Uint8Array): Promise<BlobPutResult | 'unsupported'> {
    try {
      return await this.api.uploadBlob(bytes);
    } catch (error) {
      if (error instanceof NotFoundError) return 'unsupported';
      throw cliFailure(error);
    }
  }

  /** The session's head cursor (the seq a live stream should start after). */
  async headCursor(sessionId: string): Promise<number> {
    try {
      return await this.api.headCursor(sessionId);
    } catch (error) {
      throw cliFailure(error);
    }
  }
}

/** A client failure as the CLI reports it: the server's refusal as `RpcError`, anything else with what to check. */
export function cliFailure(error: unknown): unknown {
  if (error instanceof LightspeedRpcError) {
    const hint =
      error instanceof UnauthorizedError
        ? 'pass a valid key with --api-key or LIGHTSPEED_API_KEY'
        : error instanceof PayloadTooLargeError && error.method === 'PUT /blobs'
          ? 'leave large files out of the upload (.gitignore) or raise the server limit'
          : undefined;
    return new RpcError(error.method, error.code, error.kind, error.serverMessage, hint);
  }
  if (error instanceof LightspeedClientError) {
    const hint = error instanceof ConnectionError ? 'check --api-url, or start a server with `lightspeed serve`' : undefined;
    return new CliError(error.message, 1, hint);
  }
  return error;
}
