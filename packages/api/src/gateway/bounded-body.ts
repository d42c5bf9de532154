/** Why a body was not read: over the byte limit, broken off, or no byte arrived for too long. */
export type BodyFailure = 'too_large' | 'unreadable' | 'stalled';

/** Result of reading a request body under a byte limit and an idle timeout. */
export type BoundedBytes = { ok: true; bytes: Uint8Array } | { ok: false; reason: BodyFailure };
export type BoundedBody = { ok: true; text: string } | { ok: false; reason: BodyFailure };

export interface BodyLimits {
  maxBytes: number;
  /** Longest wait for the next chunk; a client that stops sending mid-body is given up on. */
  idleTimeoutMs: number;
}

/** The declared Content-Length, when there is a valid one. */
export function declaredLength(request: Request): number | undefined {
  const header = request.headers.get('content-length');
  if (header === null || !/^\d{1,15}$/.test(header)) return undefined;
  return Number(header);
}

type Chunk = Awaited<ReturnType<ReadableStreamDefaultReader<Uint8Array>['read']>>;

function readWithin(reader: ReadableStreamDefaultReader<Uint8Array>, idleTimeoutMs: number): Promise<Chunk | 'stalled'> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => resolve('stalled'), idleTimeoutMs);
    reader.read().then(
      (chunk) => {
        clearTimeout(timer);
        resolve(chunk);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

/**
 * Reads a request body, giving up as soon as it exceeds `maxBytes` (the declared Content-Length is
 * checked first, but never trusted: chunked bodies are counted as they stream in) or when no chunk
 * arrives for `idleTimeoutMs`. With a declared length the bytes land in one buffer of that size, so
 * a large upload is held once, not twice.
 */
export async function readBoundedBytes(request: Request, limits: BodyLimits): Promise<BoundedBytes> {
  const declared = declaredLength(request);
  if (declared !== undefined && declared > limits.maxBytes) {
    await request.body?.cancel().catch(() => undefined);
    return { ok: false, reason: 'too_large' };
  }
  if (!request.body) return { ok: true, bytes: new Uint8Array(0) };
  const reader = request.body.getReader();
  const into = declared !== undefined ? Buffer.allocUnsafe(declared) : undefined;
  const chunks: Uint8Array[] = [];
  let total = 0;
  const fail = async (reason: BodyFailure): Promise<BoundedBytes> => {
    await reader.cancel().catch(() => undefined);
    return { ok: false, reason };
  };
  try {
    for (;;) {
      const chunk = await readWithin(reader, limits.idleTimeoutMs);
      if (chunk === 'stalled') return await fail('stalled');
      if (chunk.done) break;
      const value = chunk.value;
      if (total + value.byteLength > limits.maxBytes) return await fail('too_large');
      if (into) {
        // Node enforces Content-Length, so a longer body cannot arrive; refuse one defensively anyway.
        if (total + value.byteLength > into.byteLength) return await fail('unreadable');
        into.set(value, total);
      } else {
        chunks.push(value);
      }
      total += value.byteLength;
    }
  } catch {
    return { ok: false, reason: 'unreadable' };
  }
  if (into) return total === into.byteLength ? { ok: true, bytes: into } : { ok: false, reason: 'unreadable' };
  return { ok: true, bytes: Buffer.concat(chunks, total) };
}

/** `readBoundedBytes`, decoded as UTF-8 (JSON-RPC bodies). */
export async function readBoundedBody(request: Request, limits: BodyLimits): Promise<BoundedBody> {
  const read = await readBoundedBytes(request, limits);
  return read.ok ? { ok: true, text: Buffer.from(read.bytes.buffer, read.bytes.byteOffset, read.bytes.byteLength).toString('utf8') } : read;
}
