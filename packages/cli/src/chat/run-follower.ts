import { isNativeToolCallItem, toolCallArgumentsText } from '@lightspeed/llm';
import { cliFailure, type RpcClient } from '../client/rpc-client.js';
import type { Source, ToolTrace, TurnObserver, TurnResult } from './turn-observer.js';
import type { UsageFigures } from './usage-line.js';

const TERMINAL: Record<string, TurnResult['status']> = { runCompleted: 'completed', runFailed: 'failed', runCancelled: 'cancelled' };

export interface ActiveRun {
  runId: string;
  done: Promise<TurnResult>;
}

/**
 * Starts a run and follows it on the live stream: subscribes first (after the current head), so
 * no token or event of the run is missed, then admits the run, then reports deltas and tool traces
 * until the run's terminal event. The final answer and tool outputs come from `session/read`,
 * where bodies are inlined (stream events only carry previews).
 */
export async function startRun(client: RpcClient, sessionId: string, text: string, observer: TurnObserver): Promise<ActiveRun> {
  const controller = new AbortController();
  const after = await client.headCursor(sessionId);
  const follower = await subscribe(client, sessionId, after, controller);
  let runId: string;
  try {
    const started = await client.call<{ run: { id: string } }>('session/runs/start', { sessionId, source: { type: 'input', items: [{ type: 'text', text }] } });
    runId = started.run.id;
  } catch (error) {
    controller.abort();
    throw error;
  }
  return { runId, done: follow(client, sessionId, runId, follower, controller, observer) };
}

/**
 * Follows a run that is already started (memory/answer starts its own) from event `after` of the
 * session's log: the durable events before the subscription are replayed, so no tool call or the
 * terminal event is missed (token deltas streamed before it may be).
 */
export async function followRun(client: RpcClient, sessionId: string, runId: string, observer: TurnObserver, after = 0): Promise<TurnResult> {
  const controller = new AbortController();
  const follower = await subscribe(client, sessionId, after, controller);
  return follow(client, sessionId, runId, follower, controller, observer);
}

type Follower = Awaited<ReturnType<RpcClient['api']['follow']>>;

// The client's follower resumes a dropped stream from the last event it delivered (Last-Event-ID),
// so every durable event of the run arrives once.
function subscribe(client: RpcClient, sessionId: string, after: number, controller: AbortController): Promise<Follower> {
  return client.api.follow(sessionId, { after, signal: controller.signal }).catch((error: unknown) => Promise.reject(cliFailure(error)));
}

/** Reports deltas and tool traces until the run's terminal event, then reads its outcome. */
async function follow(client: RpcClient, sessionId: string, runId: string, follower: Follower, controller: AbortController, observer: TurnObserver): Promise<TurnResult> {
  const names = new Map<string, string>();
  const waits = new Set<string>();
  let terminal: { status: TurnResult['status']; error?: string } | undefined;
  try {
    for await (const message of follower) {
      if (message.event === 'delta') {
        const delta = message.data.delta;
        if (delta.type === 'text') observer.text(delta.text);
        else if (delta.type === 'reasoning') observer.reasoning?.(delta.text);
        continue;
      }
      if (message.event !== 'event') continue;
      observer.event?.(message.data);
      terminal = reportEvent(message.data.kind);
      if (terminal) break;
    }
  } catch (error) {
    throw cliFailure(error);
  } finally {
    controller.abort();
  }
  if (!terminal) throw new Error(`the live stream ended before run ${runId} finished`);
  return { sessionId, runId, ...terminal, ...(await runOutcome(client, sessionId, runId)) };

  /** Reports one durable event; returns the run's outcome when it is the run's terminal event. */
  function reportEvent(kind: any): { status: TurnResult['status']; error?: string } | undefined {
    if (!kind) return undefined;
    if (kind.type === 'toolBatchStarted' && kind.runId === runId) {
      for (const call of kind.calls as { callId: string; toolName: string }[]) names.set(call.callId, call.toolName);
    } else if (kind.type === 'contextEntriesApplied') {
      for (const entry of kind.entries as { kind: { type: string; callId?: string; name?: string }; preview?: string | null; source?: { runId?: string } | null }[]) {
        if (entry.kind.type === 'toolCall' && entry.source?.runId === runId) {
          names.set(entry.kind.callId!, entry.kind.name!);
          observer.toolCall({ callId: entry.kind.callId!, name: entry.kind.name!, argsPreview: argsPreview(entry.preview) });
        }
      }
    } else if (kind.type === 'promiseCreated' && kind.runId === runId) {
      waits.add(kind.promiseId);
      observer.waitOpened?.({ promiseId: kind.promiseId, waitKind: kind.waitKind ?? 'promise', ...(kind.preview ? { preview: kind.preview } : {}), ...(kind.deadlineMs != null ? { deadlineMs: kind.deadlineMs } : {}) });
    } else if ((kind.type === 'promiseResolved' || kind.type === 'promiseFailed' || kind.type === 'promiseCancelled') && waits.delete(kind.promiseId)) {
      observer.waitClosed?.(kind.promiseId);
    } else if (kind.type === 'toolCallCompleted' && kind.runId === runId) {
      observer.toolResult({ callId: kind.callId, name: names.get(kind.callId) ?? '?', status: kind.status });
    } else if (kind.runId === runId && TERMINAL[kind.type]) {
      return { status: TERMINAL[kind.type]!, ...(kind.type === 'runFailed' ? { error: String(kind.message) } : {}) };
    }
    return undefined;
  }
}

/** The run's final assistant text, tool traces (with bodies) and usage, from `session/read`. */
async function runOutcome(client: RpcClient, sessionId: string, runId: string): Promise<Pick<TurnResult, 'answer' | 'tools' | 'usage' | 'sessionUsage'>> {
  const { session } = await client.call<{ session: { runs: any[]; usage?: UsageFigures } }>('session/read', { sessionId });
  const run = session.runs.find((candidate) => candidate.id === runId);
  const messages = (run?.entries ?? []).filter((entry: any) => entry.kind?.type === 'message' && entry.kind.role === 'assistant');
  const last = messages[messages.length - 1];
  const argumentsOf = new Map<string, string>();
  for (const entry of run?.entries ?? []) {
    if (entry.kind?.type === 'toolCall') argumentsOf.set(entry.kind.callId, callArguments(entry.text, entry.preview));
  }
  const tools: ToolTrace[] = [];
  for (const batch of run?.toolBatches ?? []) {
    for (const call of batch.calls ?? []) {
      tools.push({ callId: call.callId, name: call.toolName, arguments: call.arguments ?? argumentsOf.get(call.callId) ?? '', status: call.status, ...(call.output != null ? { output: call.output } : {}) });
    }
  }
  const sources = await citedSources(client, run?.entries ?? []);
  return {
    answer: last?.text ?? last?.preview ?? '',
    tools,
    ...(run?.usage ? { usage: run.usage } : {}),
    ...(session.usage ? { sessionUsage: session.usage } : {}),
    ...(sources.length > 0 ? { sources } : {}),
  };
}

/**
 * The sources of a run's cited answer: entries the adapter kept as provider-native citations
 * (`providerKind: 'citations'`: the text blocks as the provider sent them), their URLs in order.
 */
async function citedSources(client: RpcClient, entries: any[]): Promise<Source[]> {
  const sources: Source[] = [];
  const seen = new Set<string>();
  for (const entry of entries) {
    if (entry.providerKind !== 'citations' || typeof entry.contentRef !== 'string') continue;
    let blocks: unknown;
    try {
      // Provider-native entries are not inlined in session/read: their body comes from CAS.
      const { bytesBase64 } = await client.call<{ bytesBase64: string }>('blobs/read', { blobRef: entry.contentRef });
      blocks = JSON.parse(Buffer.from(bytesBase64, 'base64').toString('utf8'))?.blocks;
    } catch {
      continue;
    }
    for (const block of Array.isArray(blocks) ? blocks : []) {
      for (const citation of Array.isArray(block?.citations) ? block.citations : []) {
        if (typeof citation?.url !== 'string' || seen.has(citation.url)) continue;
        seen.add(citation.url);
        sources.push({ url: citation.url, ...(typeof citation.title === 'string' ? { title: citation.title } : {}), ...(typeof citation.cited_text === 'string' ? { citedText: citation.cited_text } : {}) });
      }
    }
  }
  return sources;
}

/**
 * A call's arguments from its provider item, in any API kind's shape (Responses `function_call`,
 * Chat Completions `tool_calls[]` element, Anthropic `tool_use`), falling back to the entry preview.
 */
function callArguments(text: string | null | undefined, preview: string | null | undefined): string {
  let item: unknown;
  try {
    item = JSON.parse(text ?? '');
  } catch {
    return preview ?? '';
  }
  return isNativeToolCallItem(item) ? toolCallArgumentsText(item, text ?? '') : (preview ?? '');
}

/** A tool call entry's preview (`name({...})`) as arguments only, trimmed to one line. */
function argsPreview(preview: string | null | undefined): string {
  let line = (preview ?? '').replace(/\s+/g, ' ').trim();
  const open = line.indexOf('(');
  if (open > 0 && line.endsWith(')') && /^[\w.-]+$/.test(line.slice(0, open))) line = line.slice(open + 1, -1);
  return line.length > 100 ? `${line.slice(0, 99)}…` : line;
}
