import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { invalidRequest } from '../rpc/api-error.js';
import { MAX_WAIT_ANSWER_CHARS } from '../schemas/waits.js';
import type { AgentApi } from './agent-api.js';
import type { McpToolOptions } from './session-tools.js';
import { toolFailure, toolResult } from './tool-result.js';

const sessionId = z.string().min(1).max(200).describe('The session id.');
const waitShape = z.object({
  promiseId: z.string(),
  kind: z.enum(['timer', 'question', 'approval', 'child', 'promise']),
  runId: z.string(),
  toolName: z.string().optional(),
  question: z.string().optional(),
  choices: z.array(z.string()).optional(),
  arguments: z.string().optional(),
  preview: z.string().optional(),
  deadlineMs: z.number().optional(),
});

/** `waits_list` and `waits_answer`: a session's open questions and approvals, over session/waits/*. */
export function registerWaitTools(server: McpServer, api: AgentApi, options: McpToolOptions): void {
  server.registerTool(
    'waits_list',
    {
      title: 'List open waits',
      description: 'What a session waits on, oldest first: questions for a person, approvals of tool calls, timers.',
      inputSchema: { sessionId },
      outputSchema: { sessionId: z.string(), waits: z.array(waitShape) },
      annotations: { readOnlyHint: true },
    },
    async (input, extra) => {
      try {
        const { waits } = await api.call('session/waits/list', { sessionId: input.sessionId }, extra.signal);
        const views = waits.map((wait) => ({
          promiseId: wait.promiseId,
          kind: wait.kind,
          runId: wait.runId,
          ...(wait.toolName ? { toolName: wait.toolName } : {}),
          ...(wait.question ? { question: wait.question } : {}),
          ...(wait.choices ? { choices: wait.choices } : {}),
          ...(wait.arguments ? { arguments: wait.arguments } : {}),
          ...(wait.preview ? { preview: wait.preview } : {}),
          ...(wait.deadlineMs != null ? { deadlineMs: wait.deadlineMs } : {}),
        }));
        const lines = views.map((wait) => `${wait.promiseId}\t${wait.kind}\t${wait.question ?? wait.toolName ?? wait.preview ?? ''}${wait.choices ? ` [${wait.choices.join(' | ')}]` : ''}`);
        return toolResult({ sessionId: input.sessionId, waits: views }, lines.length > 0 ? lines.join('\n') : `session ${input.sessionId} waits on nothing`);
      } catch (error) {
        return toolFailure(error, options.onInternalError);
      }
    },
  );

  server.registerTool(
    'waits_answer',
    {
      title: 'Answer a wait',
      description:
        'Ends an open wait: `answer` a question (text is the answer), `approve` a tool call (forSession: also every later call of that tool), `deny` it (text is the reason the model sees), or `cancel` the wait (the model is told no answer will come).',
      inputSchema: {
        sessionId,
        promiseId: z.string().min(1).describe('The wait, from waits_list.'),
        action: z.enum(['answer', 'approve', 'deny', 'cancel']),
        text: z.string().min(1).max(MAX_WAIT_ANSWER_CHARS).optional().describe('answer: the answer (required); deny: the reason (required); cancel: an optional reason; approve: not allowed.'),
        forSession: z.boolean().optional().describe('approve only: approve every later call of this tool in the session too.'),
      },
      outputSchema: { promiseId: z.string(), resolution: z.enum(['resolved', 'failed', 'cancelled']) },
    },
    async (input, extra) => {
      try {
        const target = { sessionId: input.sessionId, promiseId: input.promiseId };
        if (input.forSession !== undefined && input.action !== 'approve') throw invalidRequest('forSession applies to approve only');
        let answer;
        switch (input.action) {
          case 'answer':
            if (!input.text) throw invalidRequest('answer needs text: the answer the model receives');
            answer = await api.call('session/waits/resolve', { ...target, answer: input.text }, extra.signal);
            break;
          case 'approve':
            if (input.text) throw invalidRequest('approve takes no text; to refuse with a reason, use deny');
            answer = await api.call('session/waits/resolve', { ...target, ...(input.forSession ? { forSession: true } : {}) }, extra.signal);
            break;
          case 'deny':
            if (!input.text) throw invalidRequest('deny needs text: the reason the model receives');
            answer = await api.call('session/waits/fail', { ...target, reason: input.text }, extra.signal);
            break;
          case 'cancel':
            answer = await api.call('session/waits/cancel', { ...target, ...(input.text ? { reason: input.text } : {}) }, extra.signal);
            break;
        }
        return toolResult({ promiseId: answer.promiseId, resolution: answer.resolution }, `wait ${answer.promiseId}: ${answer.resolution}`);
      } catch (error) {
        return toolFailure(error, options.onInternalError);
      }
    },
  );
}
