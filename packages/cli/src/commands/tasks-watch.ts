import type { RpcClient } from '../client/rpc-client.js';
import { openTaskStream } from '../client/sse-stream.js';
import type { CommandContext } from './command-context.js';
import { taskTable, type TaskRow } from './task-table.js';

export interface WatchOptions {
  /** tasks/list filters (states, agent, kind, tag); events are filtered the same way. */
  filters: { states?: string[]; agent?: string; kind?: string; tag?: string };
  limit: number;
}

interface TaskEventMessage {
  type: string;
  atMs: number;
  task: TaskRow & { tags: string[] };
  attempt?: number | null;
}

const RECONNECT_MS = 1_000;

function matches(task: TaskEventMessage['task'], filters: WatchOptions['filters']): boolean {
  if (filters.states && !filters.states.includes(task.state)) return false;
  if (filters.agent && task.agent !== filters.agent) return false;
  if (filters.kind && task.kind !== filters.kind) return false;
  if (filters.tag && !task.tags.includes(filters.tag)) return false;
  return true;
}

const clock = (ms: number) => new Date(ms).toISOString().slice(11, 19);

/**
 * `tasks watch`: the first page of `tasks/list`, kept current from `GET /tasks/stream`. The list is
 * read after the stream is ready, so no transition falls between the two; a dropped stream is
 * reopened with the last event id, and a `reset` (events were missed) re-reads the list. On a
 * terminal the table is redrawn in place; otherwise each event is one line (for logs and pipes).
 */
export async function watchTasks(client: RpcClient, ctx: CommandContext, options: WatchOptions): Promise<void> {
  const out = ctx.io.stdout;
  const tty = out.isTTY === true;
  const rows = new Map<string, TaskRow>();
  let lastEventId: string | undefined;
  let connected = false;
  let everConnected = false;

  const relist = async () => {
    const { tasks } = await client.call<{ tasks: TaskRow[] }>('tasks/list', { ...options.filters, limit: options.limit });
    rows.clear();
    for (const task of tasks) rows.set(task.taskId, task);
  };
  const shown = () => [...rows.values()].sort((a, b) => b.updatedAtMs - a.updatedAtMs).slice(0, options.limit);
  const draw = () => {
    const now = Date.now();
    const head = `tasks · ${rows.size} shown · ${connected ? 'live' : 'reconnecting…'} · ${clock(now)}\n`;
    out.write(`\x1b[H\x1b[2J${head}${rows.size > 0 ? taskTable(shown(), now) : 'no tasks\n'}`);
  };

  while (!ctx.signal.aborted) {
    const stop = new AbortController();
    const onAbort = () => stop.abort();
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    try {
      const stream = await openTaskStream(client, lastEventId, stop.signal);
      for await (const message of stream) {
        if (message.event === 'ready') {
          connected = true;
          everConnected = true;
          if (!message.data?.resumed) await relist();
          if (tty) draw();
          else if (lastEventId === undefined) out.write(rows.size > 0 ? taskTable(shown(), Date.now()) : 'no tasks\n');
        } else if (message.event === 'task') {
          const event = message.data as TaskEventMessage;
          if (message.id) lastEventId = message.id;
          if (matches(event.task, options.filters)) rows.set(event.task.taskId, event.task);
          else rows.delete(event.task.taskId);
          if (tty) draw();
          else out.write(`${clock(event.atMs)}  ${event.type}  ${event.task.taskId}  ${event.task.state}  ${event.task.agent}  ${event.task.kind}${event.task.subject ? `  ${event.task.subject}` : ''}\n`);
        } else if (message.event === 'reset') {
          await relist();
          if (tty) draw();
          else ctx.io.stderr.write(`events were missed (${message.data?.reason ?? 'reset'}); re-read the list\n`);
        } else if (message.event === 'heartbeat' && tty) draw();
      }
    } catch (error) {
      if (ctx.signal.aborted) break;
      // A server that never answered, or refuses the stream (no task queue, a bad key), will not get better.
      if (!everConnected || /HTTP 4\d\d/.test((error as Error).message)) throw error;
      ctx.io.stderr.write(`task stream: ${(error as Error).message}; reconnecting\n`);
    } finally {
      ctx.signal.removeEventListener('abort', onAbort);
    }
    if (ctx.signal.aborted) break;
    connected = false;
    if (tty) draw();
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, RECONNECT_MS);
      ctx.signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
    });
  }
}
