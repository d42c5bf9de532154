import { randomUUID } from 'node:crypto';

/*
 * Requests exactly as the upstream Lightspeed TypeScript client (`@lightspeed/agent-client`, repo
 * smartcomputer-ai/lightspeed, clients/typescript: src/client.ts, src/errors.ts,
 * test/client.test.ts and README.md) sends them, re-stated here rather than copied:
 * - `POST <endpoint>` with `content-type: application/json` and `accept: application/json`, body
 *   `{id, method, params}` — no `jsonrpc` member; ids are numbers counting up from 1;
 * - an answer whose `id` is present and differs from the request's is a transport error; an
 *   `error` member becomes an error whose kind is derived from the **code alone**;
 * - `startRun(sessionId, items)` calls `session/runs/start` with
 *   `{sessionId, source: {type: "input", items}, submissionId: <random UUID>}`, plus `config` only
 *   when the caller passes one;
 * - `readEvents` sends `{sessionId}` plus `after`/`limit`/`waitMs` only when given (`after: null`
 *   on the first page of `awaitRun`);
 * - `awaitRun` moves its cursor to each event's `cursor`, stops at the run's terminal event, and
 *   otherwise continues from `nextCursor ?? headCursor ?? cursor`.
 */

/** The upstream client's code → kind table (src/errors.ts). */
export function upstreamErrorKind(code: number): string {
  switch (code) {
    case -32602:
      return 'invalid_request';
    case -32601:
      return 'method_not_found';
    case -32001:
      return 'unauthenticated';
    case -32003:
      return 'forbidden';
    case -32004:
      return 'not_found';
    case -32009:
      return 'conflict';
    case -32010:
      return 'rejected';
    case -32012:
      return 'environment_not_ready';
    case -32603:
      return 'internal';
    case -32014:
      return 'model_default_unset';
    default:
      return 'unknown';
  }
}

export class UpstreamRpcError extends Error {
  readonly kind: string;
  constructor(
    readonly code: number,
    message: string,
    readonly data: unknown,
  ) {
    super(message);
    this.kind = upstreamErrorKind(code);
  }
}

type EventCursor = { seq: number };

/** The request-shaping half of the upstream client, over real `fetch`. */
export class UpstreamStyleClient {
  private nextId = 1;
  /** Every request body as sent, for assertions on the wire shape. */
  readonly sent: Record<string, unknown>[] = [];

  constructor(private readonly endpoint: string) {}

  async call(method: string, params: unknown): Promise<any> {
    const id = this.nextId++;
    const body = { id, method, params };
    this.sent.push(body);
    const response = await fetch(this.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`HTTP ${response.status}: ${text}`);
    const answer = JSON.parse(text) as { id?: unknown; result?: unknown; error?: { code: number; message: string; data?: unknown } };
    if (answer.id !== undefined && answer.id !== id) throw new Error(`response id ${String(answer.id)} does not match request id ${id}`);
    if (answer.error) throw new UpstreamRpcError(answer.error.code, answer.error.message, answer.error.data);
    if (!('result' in answer)) throw new Error('response is missing result');
    return answer.result;
  }

  startRun(sessionId: string, items: unknown[], options: { submissionId?: string; config?: unknown } = {}): Promise<any> {
    const params: Record<string, unknown> = { sessionId, source: { type: 'input', items }, submissionId: options.submissionId ?? randomUUID() };
    if ('config' in options) params.config = options.config ?? null;
    return this.call('session/runs/start', params);
  }

  readEvents(sessionId: string, options: { after?: EventCursor | null; limit?: number; waitMs?: number } = {}): Promise<any> {
    const params: Record<string, unknown> = { sessionId };
    if (options.after !== undefined) params.after = options.after;
    if (options.limit !== undefined) params.limit = options.limit;
    if (options.waitMs !== undefined) params.waitMs = options.waitMs;
    return this.call('session/events/read', params);
  }

  /** Follows events until the run's terminal event; `onEvent` sees every event in order. */
  async awaitRun(sessionId: string, runId: string, options: { after?: EventCursor | null; limit?: number; waitMs?: number; onEvent?: (event: any) => void } = {}): Promise<{ status: string; cursor: EventCursor }> {
    let cursor: EventCursor | null = options.after ?? null;
    for (let round = 0; round < 1_000; round++) {
      const page = await this.readEvents(sessionId, { after: cursor, waitMs: options.waitMs ?? 30_000, ...(options.limit !== undefined ? { limit: options.limit } : {}) });
      for (const event of page.result.events ?? []) {
        cursor = event.cursor;
        options.onEvent?.(event);
        const kind = event.kind;
        if (kind.runId === runId && ['runCompleted', 'runFailed', 'runCancelled'].includes(kind.type)) {
          return { status: kind.type === 'runCompleted' ? 'completed' : kind.type === 'runFailed' ? 'failed' : 'cancelled', cursor: cursor! };
        }
      }
      cursor = page.result.nextCursor ?? page.result.headCursor ?? cursor;
    }
    throw new Error(`run ${runId} did not reach a terminal event`);
  }
}
