import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { ApiError } from '../rpc/api-error.js';
import type { AgentApi } from './agent-api.js';
import { awaitRunEnd, headCursor } from './await-run.js';
import { toolFailure, toolResult } from './tool-result.js';
import { answerOf, transcriptOf, transcriptRun, transcriptText } from './transcript.js';

/** How long `sessions_send` waits by default: below the 60 s request timeout MCP clients default to. */
export const DEFAULT_SEND_TIMEOUT_MS = 45_000;
/** The longest wait a caller may ask for; a longer turn is polled with `sessions_read`. */
export const MAX_SEND_TIMEOUT_MS = 600_000;

const sessionId = z.string().min(1).max(200).describe('The session id (from sessions_start or the sessions resource list).');
const runStatus = z.enum(['queued', 'running', 'cancelling', 'completed', 'failed', 'cancelled']);
const transcriptItem = z.discriminatedUnion('type', [
  z.object({ type: z.literal('message'), role: z.enum(['user', 'assistant']), text: z.string() }),
  z.object({ type: z.literal('toolCall'), callId: z.string(), name: z.string(), arguments: z.string() }),
  z.object({ type: z.literal('toolResult'), callId: z.string(), isError: z.boolean(), text: z.string() }),
]);
const transcriptRunShape = z.object({ runId: z.string(), status: runStatus, failure: z.string().optional(), items: z.array(transcriptItem) });

export interface McpToolOptions {
  onInternalError: (error: unknown) => void;
}

/** `sessions_start`, `sessions_send` and `sessions_read`: the session core over the agent API. */
export function registerSessionTools(server: McpServer, api: AgentApi, options: McpToolOptions): void {
  server.registerTool(
    'sessions_start',
    {
      title: 'Start a session',
      description:
        "Starts an agent session: from a stored agent profile (`agent`, see the lightspeed://agents resource) or, without one, with the server's default model and config. Repeating an existing sessionId returns that session unchanged.",
      inputSchema: {
        agent: z.string().min(1).max(256).optional().describe('Profile id of a stored agent; omit for the default config.'),
        sessionId: z.string().min(1).max(200).optional().describe('Id to give the session; omit for a generated one.'),
        displayName: z.string().max(200).optional().describe('A name people see in session lists.'),
      },
      outputSchema: { sessionId: z.string(), status: z.string(), agent: z.string().optional(), model: z.string().optional() },
    },
    async (input, extra) => {
      try {
        const { session } = await api.call(
          'session/start',
          {
            ...(input.sessionId ? { sessionId: input.sessionId } : {}),
            ...(input.displayName ? { displayName: input.displayName } : {}),
            ...(input.agent ? { profile: { kind: 'named', profileId: input.agent } } : {}),
          },
          extra.signal,
        );
        const model = session.config?.model?.model ?? undefined;
        const agent = session.profile?.profileId;
        const structured = { sessionId: session.id, status: session.status, ...(agent ? { agent } : {}), ...(model ? { model } : {}) };
        return toolResult(structured, `session ${session.id} · ${session.status}${agent ? ` · agent ${agent}` : ''}${model ? ` · model ${model}` : ''}`);
      } catch (error) {
        return toolFailure(error, options.onInternalError);
      }
    },
  );

  server.registerTool(
    'sessions_send',
    {
      title: 'Send a message and await the answer',
      description: `Sends a user message to a session and waits for the run it starts to end (at most timeoutMs, default ${DEFAULT_SEND_TIMEOUT_MS} ms). If the run is still going then (a long turn, or a wait to answer with waits_answer), it answers with the runId and status: poll with sessions_read.`,
      inputSchema: {
        sessionId,
        message: z.string().min(1).max(100_000).describe('The user message.'),
        timeoutMs: z.number().int().min(0).max(MAX_SEND_TIMEOUT_MS).optional().describe(`How long to wait for the answer (0: do not wait); default ${DEFAULT_SEND_TIMEOUT_MS}.`),
      },
      outputSchema: {
        sessionId: z.string(),
        runId: z.string(),
        status: runStatus,
        done: z.boolean().describe('Whether the run ended; false: still going, poll with sessions_read.'),
        answer: z.string().optional().describe("The assistant's last message of the run."),
        failure: z.string().optional(),
        openWaits: z.number().int().optional().describe('Waits the run is blocked on (list and answer them with waits_list / waits_answer).'),
      },
    },
    async (input, extra) => {
      try {
        const after = await headCursor(api, input.sessionId, extra.signal);
        const { run } = await api.call('session/runs/start', { sessionId: input.sessionId, source: { type: 'input', items: [{ type: 'text', text: input.message }] } }, extra.signal);
        await awaitRunEnd(api, input.sessionId, run.id, { after, timeoutMs: input.timeoutMs ?? DEFAULT_SEND_TIMEOUT_MS, signal: extra.signal });
        const { session } = await api.call('session/read', { sessionId: input.sessionId }, extra.signal);
        const view = session.runs?.find((candidate) => candidate.id === run.id);
        if (!view) throw new ApiError('internal', `run ${run.id} is missing from its session`);
        const current = transcriptRun(view);
        const done = current.status === 'completed' || current.status === 'failed' || current.status === 'cancelled';
        const answer = answerOf(current);
        const openWaits = done ? 0 : (await api.call('session/waits/list', { sessionId: input.sessionId }, extra.signal)).waits.filter((wait) => wait.runId === run.id).length;
        const structured = {
          sessionId: input.sessionId,
          runId: run.id,
          status: current.status,
          done,
          ...(answer !== undefined ? { answer } : {}),
          ...(current.failure ? { failure: current.failure } : {}),
          ...(done ? {} : { openWaits }),
        };
        const text = done
          ? `${current.failure ? `run ${run.id} ${current.status}: ${current.failure}` : (answer ?? `run ${run.id} ${current.status} without an answer`)}`
          : `run ${run.id} is still ${current.status}${openWaits > 0 ? `, waiting on ${openWaits} wait(s): see waits_list` : ''}; poll with sessions_read { sessionId: "${input.sessionId}", runId: "${run.id}" }`;
        return toolResult(structured, text);
      } catch (error) {
        return toolFailure(error, options.onInternalError);
      }
    },
  );

  server.registerTool(
    'sessions_read',
    {
      title: "Read a session's transcript",
      description: "A session's conversation run by run (messages, tool calls and results), or one run's when runId is given (its status tells whether it ended).",
      inputSchema: { sessionId, runId: z.string().min(1).optional().describe('Only this run (e.g. one sessions_send left running).') },
      outputSchema: { sessionId: z.string(), status: z.string(), runs: z.array(transcriptRunShape) },
      annotations: { readOnlyHint: true },
    },
    async (input, extra) => {
      try {
        const { session } = await api.call('session/read', { sessionId: input.sessionId }, extra.signal);
        const runs = input.runId ? (session.runs ?? []).filter((run) => run.id === input.runId) : session.runs;
        if (input.runId && runs?.length === 0) throw new ApiError('not_found', `session ${input.sessionId} has no run ${input.runId}`);
        const scoped = { ...session, runs };
        return toolResult({ ...transcriptOf(scoped) }, transcriptText(scoped));
      } catch (error) {
        return toolFailure(error, options.onInternalError);
      }
    },
  );
}
