import type { UsageFigures } from './usage-line.js';

/** What a run looks like while it happens; the terminal and JSON renderers implement this. */
export interface TurnObserver {
  /** A streamed text token of the assistant. */
  text(delta: string): void;
  /** A streamed piece of the model's reasoning summary (providers that expose one). */
  reasoning?(delta: string): void;
  /** The model asked for a tool. */
  toolCall(call: { callId: string; name: string; argsPreview: string }): void;
  /** A tool call finished (`succeeded`, `failed`, `cancelled`, …). */
  toolResult(result: { callId: string; name: string; status: string }): void;
  /** A durable session event, as the server sent it (for `--json`). */
  event?(event: unknown): void;
  /** The run parked a tool call on a wait (a timer, a question to answer, an approval…). */
  waitOpened?(wait: WaitNotice): void;
  /** A wait of the run ended (answered, timer fired, failed or cancelled). */
  waitClosed?(promiseId: string): void;
}

/** A wait as the event stream announces it; the full question comes from `session/waits/list`. */
export interface WaitNotice {
  promiseId: string;
  waitKind: string;
  preview?: string;
  deadlineMs?: number;
}

export interface ToolTrace {
  callId: string;
  name: string;
  arguments: string;
  status: string;
  output?: string;
}

export interface TurnResult {
  sessionId: string;
  runId: string;
  status: 'completed' | 'failed' | 'cancelled';
  /** The assistant's final message text. */
  answer: string;
  error?: string;
  tools: ToolTrace[];
  /** What the run consumed, retried and failed attempts and compactions included. */
  usage?: UsageFigures;
  /** The session's totals after the run. */
  sessionUsage?: UsageFigures;
  /** Sources the answer cites (provider-native citations, e.g. Anthropic web search), in order, without repeats. */
  sources?: Source[];
}

export interface Source {
  url: string;
  title?: string;
  citedText?: string;
}
