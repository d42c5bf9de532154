import { inspect } from 'node:util';
import { isDiskFullFailure, isLightspeedError } from '@lightspeed/ports';

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
  if (isDiskFullFailure(error)) {
    return { message: `disk full: ${(error as Error).message}`, exitCode: EXIT.failed, hint: 'free space on the disk that holds the data directory (or the file named), then retry' };
  }
  if (error instanceof Error) return { message: error.message.split('\n')[0] ?? error.name, exitCode: EXIT.failed };
  // Not an Error: some library threw a bare value (PGlite's WASM throws numbers on a fatal exit).
  // Printed alone ("lightspeed: Infinity") it says nothing, so say what it is.
  return {
    message: `unexpected failure: a library threw ${describeThrown(error)} instead of an error`,
    exitCode: EXIT.failed,
    hint: 'run again with --debug; if it happens again, report it with that output',
  };
}

function describeThrown(value: unknown): string {
  const text = inspect(value, { depth: 2, breakLength: Infinity });
  return `${value === null ? 'null' : typeof value} ${text.length > 200 ? `${text.slice(0, 200)}…` : text}`;
}
