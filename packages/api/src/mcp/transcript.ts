import type { z } from 'zod';
import type { ContextEntryView } from '../schemas/context.js';
import type { RunView } from '../schemas/runs.js';
import type { SessionView } from '../schemas/session-view.js';

/** What the wire carries (defaults not yet applied), as handlers and clients hand it over. */
type SessionInput = z.input<typeof SessionView>;
type RunInput = z.input<typeof RunView>;
type EntryInput = z.input<typeof ContextEntryView>;

/** One transcript line: a message, a tool call or its result (other entry kinds are not shown). */
export type TranscriptItem =
  | { type: 'message'; role: 'user' | 'assistant'; text: string }
  | { type: 'toolCall'; callId: string; name: string; arguments: string }
  | { type: 'toolResult'; callId: string; isError: boolean; text: string };

export interface TranscriptRun {
  runId: string;
  status: RunInput['status'];
  /** Why a failed run failed. */
  failure?: string;
  items: TranscriptItem[];
}

export interface Transcript {
  sessionId: string;
  status: SessionInput['status'];
  runs: TranscriptRun[];
}

function oneLine(text: string, max = 160): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/**
 * A readable one-line form of a context entry (`user: …`, `  > tool …`), or undefined for entries
 * a reader does not need (catalogs, reasoning state). `lightspeed runs read` prints these too.
 */
export function transcriptLine(entry: EntryInput): string | undefined {
  const body = oneLine(entry.text ?? entry.preview ?? '');
  switch (entry.kind.type) {
    case 'message':
      return `${entry.kind.role === 'user' ? 'user' : 'assistant'}: ${body}`;
    case 'toolCall':
      return `  > tool ${oneLine(entry.preview ?? entry.kind.name)}`;
    case 'toolResult':
      return `  < ${entry.kind.isError ? 'error' : 'result'}: ${body}`;
    case 'instructions':
      return `instructions: ${body}`;
    case 'skillActivation':
      return `skill active: ${entry.kind.skillId}`;
    default:
      return undefined;
  }
}

/** The transcript item of a context entry (messages, tool calls and results), or undefined. */
export function transcriptItemOf(entry: EntryInput): TranscriptItem | undefined {
  const text = entry.text ?? entry.preview ?? '';
  switch (entry.kind.type) {
    case 'message':
      return { type: 'message', role: entry.kind.role, text };
    case 'toolCall':
      return { type: 'toolCall', callId: entry.kind.callId, name: entry.kind.name, arguments: text };
    case 'toolResult':
      return { type: 'toolResult', callId: entry.kind.callId, isError: entry.kind.isError, text };
    default:
      return undefined;
  }
}

export function transcriptRun(run: RunInput): TranscriptRun {
  const items = (run.entries ?? []).flatMap((entry) => transcriptItemOf(entry) ?? []);
  return { runId: run.id, status: run.status, ...(run.failure ? { failure: `${run.failure.code}: ${run.failure.message}` } : {}), items };
}

/** A session's conversation, run by run, from `session/read` (whose entries inline their bodies). */
export function transcriptOf(session: SessionInput): Transcript {
  return { sessionId: session.id, status: session.status, runs: (session.runs ?? []).map(transcriptRun) };
}

/** The last thing the assistant said in a run (its answer), or undefined when it said nothing. */
export function answerOf(run: TranscriptRun): string | undefined {
  const said = run.items.filter((item): item is Extract<TranscriptItem, { type: 'message' }> => item.type === 'message' && item.role === 'assistant');
  return said[said.length - 1]?.text;
}

/** The transcript as text, one line per entry, each run headed by its id and status. */
export function transcriptText(session: SessionInput): string {
  const lines = [`session ${session.id} · ${session.status}`];
  for (const run of session.runs ?? []) {
    lines.push('', `run ${run.id} · ${run.status}${run.failure ? ` · ${run.failure.code}: ${oneLine(run.failure.message)}` : ''}`);
    for (const entry of run.entries ?? []) {
      const line = transcriptLine(entry);
      if (line) lines.push(line);
    }
  }
  if ((session.runs ?? []).length === 0) lines.push('(no runs yet)');
  return lines.join('\n');
}
