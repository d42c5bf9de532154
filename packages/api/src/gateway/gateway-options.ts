import { LightspeedError } from '@lightspeed/ports';

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

/**
 * Limits of the HTTP server itself (`serveGateway`), per connection. A client that trickles its
 * headers once held a connection for 70 s, and 300 such clients slowed a plain call to 27 s.
 * The body stall timeout (`bodyIdleTimeoutMs`) is the app's; these bound everything else.
 */
export interface ConnectionLimitOptions {
  /** Longest time to receive a request's headers, counted from its first byte or the connection's start (default 10 s); then 408 and close. */
  headersTimeoutMs?: number;
  /**
   * Longest time to receive a whole request, headers and body (default 120 s: a 64 MiB `PUT /blobs`
   * needs 0.6 MB/s). Responses are not limited by it, so SSE streams and long polls stay open.
   */
  requestTimeoutMs?: number;
  /** How long a kept-alive connection may sit idle between requests (default 5 s). */
  keepAliveTimeoutMs?: number;
  /**
   * Socket inactivity (no byte either way) after which a connection is closed (default 180 s). It
   * must outlast the quietest legitimate wait: SSE heartbeats (15 s), long polls (30 s), compaction (120 s).
   */
  idleTimeoutMs?: number;
  /** Connections open at once from one IP address (default 64; 0 = no cap). More are answered 503 and closed. */
  maxConnectionsPerIp?: number;
}

export type ResolvedConnectionLimits = Required<ConnectionLimitOptions>;

export const DEFAULT_CONNECTION_LIMITS: Readonly<ResolvedConnectionLimits> = Object.freeze({
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 120_000,
  keepAliveTimeoutMs: 5_000,
  idleTimeoutMs: 180_000,
  maxConnectionsPerIp: 64,
});

/** Fills in defaults and refuses values Node would reject or that would cut every request short. */
export function resolveConnectionLimits(options: ConnectionLimitOptions = {}): ResolvedConnectionLimits {
  const limits: ResolvedConnectionLimits = { ...DEFAULT_CONNECTION_LIMITS };
  for (const key of Object.keys(DEFAULT_CONNECTION_LIMITS) as (keyof ResolvedConnectionLimits)[]) {
    const value = options[key];
    if (value === undefined) continue;
    const min = key === 'maxConnectionsPerIp' ? 0 : 1;
    if (!Number.isSafeInteger(value) || value < min) throw new LightspeedError('invalid', `${key} must be an integer of at least ${min}, got ${String(value)}`, { [key]: value });
    limits[key] = value;
  }
  if (limits.headersTimeoutMs > limits.requestTimeoutMs) {
    throw new LightspeedError('invalid', `headersTimeoutMs (${limits.headersTimeoutMs}) must not exceed requestTimeoutMs (${limits.requestTimeoutMs})`);
  }
  return limits;
}
