/**
 * One step of a delegated CLI's transcript, normalised from its own stream (Claude Code
 * stream-json, Codex `exec --json`). The nested sub-transcript of a `delegate` call is a list of these.
 */
export type DelegateStep =
  | { type: 'started'; cli: string; sessionId?: string; model?: string }
  | { type: 'text'; text: string }
  | { type: 'reasoning'; text: string }
  | { type: 'tool_call'; id: string; name: string; input: unknown }
  | { type: 'tool_result'; id: string; output: string; isError: boolean }
  | { type: 'notice'; text: string }
  | { type: 'finished'; ok: boolean; result?: string; turns?: number; usage?: DelegateUsage; costUsd?: number };

/** Token usage as the CLI reports it (both report totals at the end of a run). */
export interface DelegateUsage {
  input: number;
  cachedInput: number;
  cacheWrite: number;
  output: number;
  reasoning: number;
}

/** Turns one line of a CLI's stdout into steps; lines it does not know give none. */
export type StepParser = (line: string) => DelegateStep[];

/** Parses a JSON line, or undefined when it is not a JSON object (CLIs print the odd banner). */
export function jsonLine(line: string): Record<string, unknown> | undefined {
  const text = line.trim();
  if (!text.startsWith('{')) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

export function numberOr0(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The final message of a transcript: the `finished` step's result, else the last text. */
export function finalMessageOf(steps: readonly DelegateStep[]): string {
  const finished = steps.findLast((step) => step.type === 'finished');
  if (finished?.type === 'finished' && finished.result !== undefined && finished.result !== '') return finished.result;
  const text = steps.findLast((step) => step.type === 'text');
  return text?.type === 'text' ? text.text : '';
}
