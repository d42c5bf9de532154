import { awaitRun, type AwaitRunOptions } from './await-run.js';
import type { CallOptions } from './call-options.js';
import { kindError, ProtocolError } from './errors.js';
import { GeneratedMethods, type MethodName, type MethodOutcome, type MethodParams, type MethodResult } from './generated/methods.js';
import type { AgentApiErrorKind, BlobPutResult, RunView } from './generated/wire-types.js';
import { followSession, openSessionStream, type FollowOptions, type SessionFollower, type SessionStream, type StreamOptions } from './session-stream.js';
import { deadline, HttpTransport, type TransportOptions } from './transport.js';

export type LightspeedClientOptions = TransportOptions;

/**
 * A typed client of a Lightspeed server (`lightspeed serve`): every contract method as a typed
 * function (`client.session.runs.start(...)`, or `client.call('session/runs/start', ...)`), the live
 * stream with resume (`follow`), and `awaitRun`. Failures are typed: `LightspeedRpcError`
 * subclasses by code for what the server refused, `ConnectionError`, `TimeoutError`,
 * `ProtocolError`; an abort rejects with the signal's reason.
 */
export class LightspeedClient extends GeneratedMethods {
  private readonly transport: HttpTransport;

  constructor(options: LightspeedClientOptions) {
    super();
    this.transport = new HttpTransport(options);
  }

  /** The server root, without a trailing slash. */
  get baseUrl(): string {
    return this.transport.baseUrl;
  }

  /** The headers this client sends (auth included), plus `extra`: for a request this client does not model. */
  headers(extra: Record<string, string> = {}): Record<string, string> {
    return this.transport.headers(extra);
  }

  /** Calls a contract method; resolves with its result (the envelope's `result`). */
  async call<M extends MethodName>(method: M, params: MethodParams<M>, options?: CallOptions): Promise<MethodResult<M>> {
    return (await this.transport.rpc(method, params as Record<string, unknown>, options)).result as MethodResult<M>;
  }

  /** Calls a contract method; resolves with the whole outcome envelope (`{result, notifications?}`). */
  async callOutcome<M extends MethodName>(method: M, params: MethodParams<M>, options?: CallOptions): Promise<MethodOutcome<M>> {
    return (await this.transport.rpc(method, params as Record<string, unknown>, options)) as MethodOutcome<M>;
  }

  /**
   * Calls any method by name, untyped: for a method the server offers that this client version
   * does not know yet. Prefer the typed methods.
   */
  async request<T = unknown>(method: string, params: Record<string, unknown> = {}, options?: CallOptions): Promise<T> {
    return (await this.transport.rpc(method, params, options)).result as T;
  }

  protected callMethod<M extends MethodName>(method: M, params: MethodParams<M>, options?: CallOptions): Promise<MethodResult<M>> {
    return this.call(method, params, options);
  }

  /**
   * Uploads one blob as the raw body of `PUT /blobs` (for blobs too large for a JSON-RPC body).
   * A server without the route answers `NotFoundError` (use `blobs.put` then).
   */
  async uploadBlob(bytes: Uint8Array, options: CallOptions = {}): Promise<BlobPutResult> {
    const operation = 'PUT /blobs';
    const timeoutMs = options.timeoutMs ?? this.transport.timeoutMs;
    const limit = deadline(options.signal, timeoutMs);
    try {
      const response = await this.transport.send('/blobs', { method: 'PUT', headers: this.transport.headers({ 'content-type': 'application/octet-stream' }), body: bytes }, limit, operation, timeoutMs);
      const body = (await this.transport.json(response, limit, operation, timeoutMs)) as { blobRef?: unknown; bytes?: unknown; error?: { kind?: AgentApiErrorKind; message?: string } } | undefined;
      if (response.ok && typeof body?.blobRef === 'string') return { blobRef: body.blobRef, bytes: Number(body.bytes) };
      if (body?.error) throw kindError(operation, body.error.kind, String(body.error.message ?? `HTTP ${response.status}`), response.status);
      throw new ProtocolError(operation, response.status, `the server at ${this.baseUrl} answered HTTP ${response.status} without a JSON body`);
    } finally {
      limit.clear();
    }
  }

  /** The session's head: the event position a follower of what happens next starts after. */
  async headCursor(sessionId: string, options?: CallOptions): Promise<number> {
    const page = await this.session.events.read({ sessionId, after: { seq: Number.MAX_SAFE_INTEGER }, limit: 1 }, options);
    return page.headCursor?.seq ?? 0;
  }

  /** One connection to the session's live stream, subscribed when this resolves; no resume. */
  openStream(sessionId: string, options?: StreamOptions): Promise<SessionStream> {
    return openSessionStream(this.transport, sessionId, options);
  }

  /** The session's live stream, resumed with `Last-Event-ID` across dropped connections. */
  follow(sessionId: string, options?: FollowOptions): Promise<SessionFollower> {
    return followSession(this.transport, sessionId, options);
  }

  /** Resolves with the run's view once it completed, failed or was cancelled. */
  awaitRun(sessionId: string, runId: string, options?: AwaitRunOptions): Promise<RunView> {
    return awaitRun(this, sessionId, runId, options);
  }
}
