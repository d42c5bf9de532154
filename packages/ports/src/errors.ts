/**
 * Typed errors with a stable `code`. Every port throws these (or subclasses) so hosts and the API
 * can map failures without string matching. Messages say what to do next and never carry secrets.
 */
export type ErrorCode =
  | 'conflict'
  | 'not_found'
  | 'invalid'
  | 'too_large'
  | 'corrupt'
  | 'unavailable'
  | 'locked'
  | 'forbidden'
  | 'internal';

export class LightspeedError extends Error {
  readonly code: ErrorCode;
  readonly details?: Record<string, unknown>;
  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'LightspeedError';
    this.code = code;
    if (details !== undefined) this.details = details;
  }
}

/** An optimistic append lost the race: the store's head was not `expectedHead`. */
export class AppendConflictError extends LightspeedError {
  constructor(
    readonly sessionId: string,
    readonly expectedHead: number,
    readonly actualHead: number,
  ) {
    super('conflict', `append to session ${sessionId} expected head ${expectedHead} but the head is ${actualHead}; re-read and retry`, {
      sessionId,
      expectedHead,
      actualHead,
    });
    this.name = 'AppendConflictError';
  }
}

/** Stored bytes do not hash to their ref: the row is corrupt and must not be served as data. */
export class BlobCorruptError extends LightspeedError {
  constructor(readonly ref: string) {
    super('corrupt', `blob ${ref} failed SHA-256 verification; the stored copy is corrupt`, { ref });
    this.name = 'BlobCorruptError';
  }
}

export class BlobTooLargeError extends LightspeedError {
  constructor(
    readonly size: number,
    readonly max: number,
  ) {
    super('too_large', `blob of ${size} bytes exceeds the configured maximum of ${max} bytes`, { size, max });
    this.name = 'BlobTooLargeError';
  }
}

export function isLightspeedError(error: unknown, code?: ErrorCode): error is LightspeedError {
  return error instanceof LightspeedError && (code === undefined || error.code === code);
}

/**
 * A write failed because a file system (or the database server's) ran out of space or quota. It is
 * `unavailable`, not `internal`: nothing is wrong with the request, and the same write succeeds once
 * space is freed. The message names the path and says where to free space.
 */
export class DiskFullError extends LightspeedError {
  constructor(
    readonly path: string,
    readonly reason: string,
    advice: string,
  ) {
    super('unavailable', `disk full writing ${path} (${reason}): ${advice}`, { path, reason });
    this.name = 'DiskFullError';
  }
}

const DISK_FULL_CODES = new Set(['ENOSPC', 'EDQUOT', '53100']);

/** ENOSPC or EDQUOT from the operating system, or SQLSTATE 53100 (disk_full) from PostgreSQL and PGlite. */
export function isDiskFullFailure(error: unknown): boolean {
  if (error instanceof DiskFullError) return true;
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string' && DISK_FULL_CODES.has(code)) return true;
  return error instanceof Error && /no space left on device|disk quota exceeded/i.test(error.message);
}
