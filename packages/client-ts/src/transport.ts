import { ConnectionError, ProtocolError, rpcError, TimeoutError } from './errors.js';

export interface TransportOptions {
  /** Server root, e.g. `http://127.0.0.1:7420`. */
  baseUrl: string;
  /** Sent as `Authorization: Bearer <apiKey>` (a server started with `--api-keys` requires one). */
  apiKey?: string;
  /** Default per-call timeout in ms (0: none). Default 60 s. */
  timeoutMs?: number;
  /** Extra headers for every request. */
  headers?: Record<string, string>;
  /** The `fetch` to use (default: the global one). */
  fetch?: typeof fetch;
}

/** What a long poll gets beyond its `waitMs` before the client gives up on it. */
const LONG_POLL_GRACE_MS = 15_000;

export const DEFAULT_TIMEOUT_MS = 60_000;

/**
 * A deadline plus the caller's signal as one signal. `expired()` tells a timeout from an abort;
 * `clear()` stops the timer (a stream clears it once subscribed, so it may then live on).
 */
export interface Deadline {
  signal: AbortSignal | undefined;
  expired(): boolean;
  clear(): void;
}

export function deadline(signal: AbortSignal | undefined, timeoutMs: number): Deadline {
  if (!(timeoutMs > 0)) return { signal, expired: () => false, clear: () => {} };
  const timer = new AbortController();
  const handle = setTimeout(() => timer.abort(), timeoutMs);
  return {
    signal: signal ? AbortSignal.any([signal, timer.signal]) : timer.signal,
    expired: () => timer.signal.aborted && !signal?.aborted,
    clear: () => clearTimeout(handle),
  };
}

/** HTTP to one server: auth, timeouts, aborts and transport failures as typed errors. */
export class HttpTransport {
  readonly baseUrl: string;
  readonly timeoutMs: number;
  private readonly fetchImpl: typeof fetch;
  private nextId = 1;

  constructor(private readonly options: TransportOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
  }

  /** The headers of every request, plus `extra`. The API key is never logged or put in an error. */
  headers(extra: Record<string, string> = {}): Record<string, string> {
    return { ...this.options.headers, ...extra, ...(this.options.apiKey ? { authorization: `Bearer ${this.options.apiKey}` } : {}) };
  }

  /**
   * Sends one request under `limit`: an abort rejects with the signal's reason, an expired deadline
   * with `TimeoutError`, an unreachable server with `ConnectionError`.
   */
  async send(path: string, init: RequestInit, limit: Deadline, operation: string, timeoutMs: number): Promise<Response> {
    try {
      return await this.fetchImpl(`${this.baseUrl}${path}`, { ...init, ...(limit.signal ? { signal: limit.signal } : {}) });
    } catch (error) {
      throw this.failure(error, limit, operation, timeoutMs);
    }
  }

  /** The error to throw for a failure while sending or reading under `limit`. */
  failure(error: unknown, limit: Deadline, operation: string, timeoutMs: number): unknown {
    if (limit.expired()) return new TimeoutError(operation, timeoutMs);
    if (limit.signal?.aborted) return limit.signal.reason ?? error;
    if (error instanceof Error && error.name === 'AbortError') return error;
    return new ConnectionError(this.baseUrl, error);
  }

  /** Reads a JSON body under `limit`; `undefined` when the body is not JSON. */
  async json(response: Response, limit: Deadline, operation: string, timeoutMs: number): Promise<unknown> {
    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      throw this.failure(error, limit, operation, timeoutMs);
    }
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return undefined;
    }
  }

  /** The timeout a call gets: `timeoutMs`, or the client's, stretched to cover a long poll's `waitMs`. */
  timeoutFor(params: Record<string, unknown>, timeoutMs: number | undefined): number {
    const base = timeoutMs ?? this.timeoutMs;
    const waitMs = typeof params.waitMs === 'number' ? params.waitMs : 0;
    return base > 0 && waitMs > 0 ? Math.max(base, waitMs + LONG_POLL_GRACE_MS) : base;
  }

  /** One JSON-RPC call; resolves with the outcome envelope (`{result, notifications?}`). */
  async rpc(method: string, params: Record<string, unknown>, options: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<{ result: unknown; notifications?: unknown[] }> {
    const timeoutMs = this.timeoutFor(params, options.timeoutMs);
    const limit = deadline(options.signal, timeoutMs);
    try {
      const response = await this.send(
        '/rpc',
        { method: 'POST', headers: this.headers({ 'content-type': 'application/json', accept: 'application/json' }), body: JSON.stringify({ jsonrpc: '2.0', id: this.nextId++, method, params }) },
        limit,
        method,
        timeoutMs,
      );
      const body = (await this.json(response, limit, method, timeoutMs)) as { error?: Record<string, unknown>; result?: { result: unknown; notifications?: unknown[] } } | undefined;
      if (body?.error) throw rpcError(method, body.error);
      if (!body || typeof body.result !== 'object' || body.result === null) {
        throw new ProtocolError(method, response.status, `the server at ${this.baseUrl} answered HTTP ${response.status} without a JSON-RPC result`);
      }
      return body.result;
    } finally {
      limit.clear();
    }
  }
}
