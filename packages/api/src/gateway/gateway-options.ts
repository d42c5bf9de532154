/** Tunables of the HTTP gateway. Every limit has a safe default. */
export interface GatewayOptions {
  /** Largest accepted POST /rpc body in bytes (default 8 MiB). */
  maxBodyBytes?: number;
  /** Most requests in one JSON-RPC batch (default 100). */
  maxBatch?: number;
  /** Largest blob `PUT /blobs` accepts as a raw body (default 64 MiB, the stores' default blob limit). */
  maxBlobUploadBytes?: number;
  /**
   * Bytes all `PUT /blobs` bodies in progress may hold together (default 256 MiB); an upload that
   * would exceed it is answered 503 with Retry-After. Chunked uploads reserve `maxBlobUploadBytes`.
   */
  maxUploadBytesInFlight?: number;
  /** Longest pause between two chunks of a request body before the request is dropped (default 10 s). */
  bodyIdleTimeoutMs?: number;
  /** Server cap for `session/events/read` waitMs; larger values are clamped (default 30 s). */
  longPollCapMs?: number;
  /** Interval of SSE heartbeats (default 15 s). */
  heartbeatMs?: number;
  /** Live deltas buffered for one slow SSE client before the stream is closed (default 10,000). */
  maxQueuedDeltas?: number;
  serverInfo?: { name: string; version: string };
  /** Called with unexpected failures; the client only ever sees an opaque internal error. */
  onInternalError?: (error: unknown, where: string) => void;
}

export interface ResolvedGatewayOptions {
  maxBodyBytes: number;
  maxBatch: number;
  maxBlobUploadBytes: number;
  maxUploadBytesInFlight: number;
  bodyIdleTimeoutMs: number;
  longPollCapMs: number;
  heartbeatMs: number;
  maxQueuedDeltas: number;
  serverInfo: { name: string; version: string };
  onInternalError: (error: unknown, where: string) => void;
}

export const DEFAULT_MAX_BODY_BYTES = 8 * 1024 * 1024;
export const DEFAULT_MAX_BLOB_UPLOAD_BYTES = 64 * 1024 * 1024;
export const DEFAULT_MAX_UPLOAD_BYTES_IN_FLIGHT = 256 * 1024 * 1024;
export const DEFAULT_BODY_IDLE_TIMEOUT_MS = 10_000;

export function resolveGatewayOptions(options: GatewayOptions = {}): ResolvedGatewayOptions {
  return {
    maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    maxBatch: options.maxBatch ?? 100,
    maxBlobUploadBytes: options.maxBlobUploadBytes ?? DEFAULT_MAX_BLOB_UPLOAD_BYTES,
    maxUploadBytesInFlight: options.maxUploadBytesInFlight ?? DEFAULT_MAX_UPLOAD_BYTES_IN_FLIGHT,
    bodyIdleTimeoutMs: options.bodyIdleTimeoutMs ?? DEFAULT_BODY_IDLE_TIMEOUT_MS,
    longPollCapMs: options.longPollCapMs ?? 30_000,
    heartbeatMs: options.heartbeatMs ?? 15_000,
    maxQueuedDeltas: options.maxQueuedDeltas ?? 10_000,
    serverInfo: options.serverInfo ?? { name: 'lightspeed', version: '0.1.0' },
    onInternalError:
      options.onInternalError ??
      ((error, where) => {
        // Server-side log only; never sent to clients.
        console.error(`[lightspeed api] internal error in ${where}:`, error);
      }),
  };
}
