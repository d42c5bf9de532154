import { z } from 'zod';
import { named } from './registry.js';

/*
 * Lightspeed extension (issue 17): answers from memory with verified citations (`memory/answer`,
 * `memory/answers/read`). An answer cites ids in square brackets (`[mev_…]`, `[pr:github:o/r#7]`);
 * a citation is valid only if its id appeared in a memory tool result of that run (docs/0022-memory.md, "Answers").
 */

const agentName = () => z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, '1-64 characters of [A-Za-z0-9._-], starting with a letter or digit');
const waitMs = () => z.number().int().min(0).max(600_000).nullish();

export const MemoryAnswerParams = named(
  'MemoryAnswerParams',
  z.strictObject({
    question: z.string().trim().min(1).max(8_000),
    agent: agentName().nullish().describe('The agent (a stored profile) that answers; default: the profile `answer` if the universe stores one, else the shipped answer agent.'),
    waitMs: waitMs().describe('How long to wait for the run to end (default 120,000; 0 answers at once with status running, to follow the run and read the answer with memory/answers/read).'),
  }),
);

export const MemoryAnswerReadParams = named(
  'MemoryAnswerReadParams',
  z.strictObject({
    sessionId: z.string().min(1).max(200),
    runId: z.string().min(1).max(200),
    waitMs: waitMs().describe('How long to wait for the run to end (default 0).'),
  }),
);

export const MemoryCitation = named(
  'MemoryCitation',
  z.object({
    id: z.string(),
    kind: z.enum(['event', 'entity']),
    callIds: z.array(z.string()).describe('The memory tool calls of the run whose results showed the id.'),
  }),
);

export const MemoryDroppedCitation = named(
  'MemoryDroppedCitation',
  z.object({
    id: z.string(),
    reason: z.enum(['not_retrieved', 'not_found']).describe('not_retrieved: it exists in this universe but no tool result of the run showed it; not_found: nothing of this universe has the id.'),
  }),
);

export const MemoryAnswerResponse = named(
  'MemoryAnswerResponse',
  z.object({
    sessionId: z.string(),
    runId: z.string(),
    status: z.enum(['queued', 'running', 'completed', 'failed', 'cancelled']),
    answer: z.string().describe('The final answer with invalid citations removed; empty until the run completes.'),
    citations: z.array(MemoryCitation).describe('Valid citations, each id once, in order of first citation.'),
    droppedCitations: z.array(MemoryDroppedCitation),
    grounded: z.boolean().describe('Whether the answer has at least one valid citation; false marks an answer memory does not support (or "nothing found").'),
    error: z.string().nullish().describe('Why the run failed or was cancelled.'),
  }),
);
