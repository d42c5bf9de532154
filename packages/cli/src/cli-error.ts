import { isLightspeedError } from '@lightspeed/ports';

/** Exit codes: 0 ok, 1 the operation failed, 2 bad usage or configuration, 130 interrupted. */
export const EXIT = { ok: 0, failed: 1, usage: 2, interrupted: 130 } as const;

/**
 * An error the CLI reports as one line (no stack unless `--debug`). `hint` is printed on the next
 * line and says what to do about it.
 */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.failed,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export function usageError(message: string, hint?: string): CliError {
  return new CliError(message, EXIT.usage, hint);
}

/** The one-line text for any failure; Lightspeed errors carry their own actionable message. */
export function describeFailure(error: unknown): { message: string; hint?: string; exitCode: number } {
  if (error instanceof CliError) return { message: error.message, exitCode: error.exitCode, ...(error.hint ? { hint: error.hint } : {}) };
  if (isLightspeedError(error)) return { message: `${error.message} (${error.code})`, exitCode: EXIT.failed };
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ECONNREFUSED') return { message: `cannot connect: ${(error as Error).message}`, exitCode: EXIT.failed, hint: 'is `lightspeed serve` running at that address?' };
  if (error instanceof Error) return { message: error.message.split('\n')[0] ?? error.name, exitCode: EXIT.failed };
  return { message: String(error), exitCode: EXIT.failed };
}
