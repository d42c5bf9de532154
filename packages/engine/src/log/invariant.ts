/**
 * A broken invariant of the session log (wrong sequence, illegal transition, unexpected id).
 * `apply` throws it; it means the log or the caller is corrupt, never that a user made a mistake
 * (user mistakes are typed rejections from `admit`).
 */
export class InvariantViolation extends Error {
  readonly code = 'invariant_violation' as const;
  readonly details: Record<string, unknown> | undefined;

  constructor(message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'InvariantViolation';
    this.details = details;
  }
}

export function invariant(condition: unknown, message: string, details?: Record<string, unknown>): asserts condition {
  if (!condition) throw new InvariantViolation(message, details);
}
