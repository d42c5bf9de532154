import { z } from 'zod';
import { epochMs, named } from './registry.js';

/*
 * Lightspeed extension: the durable waits of a session (a deferred tool call parked on a promise)
 * and their resolution by a person or a program. Not in the v1 contract, which has promise events
 * but no methods to answer them.
 */

/** Answers and reasons are bounded: they become a tool result in the model's context. */
export const MAX_WAIT_ANSWER_CHARS = 100_000;
/** An approver reviews arguments in a list: long ones are cut (the full body stays in CAS). */
export const MAX_ARGUMENTS_PREVIEW = 4_000;

export const WaitKind = named('WaitKind', z.enum(['timer', 'question', 'approval', 'child', 'promise']), 'What a wait is for; `promise` is an undescribed one.');

export const WaitView = named(
  'WaitView',
  z.object({
    promiseId: z.string(),
    kind: WaitKind,
    runId: z.string(),
    callId: z.string(),
    toolName: z.string().nullish(),
    preview: z.string().nullish(),
    question: z.string().nullish().describe('For kind question: the full question.'),
    choices: z.array(z.string()).nullish().describe('For kind question: the answers offered, if any (an answer must be one of them).'),
    arguments: z.string().nullish().describe(`For kind approval: the call's arguments as the model sent them (at most ${MAX_ARGUMENTS_PREVIEW} characters).`),
    argumentsTruncated: z.boolean().nullish(),
    createdAtMs: epochMs(),
    deadlineMs: epochMs().nullish().describe('When the wait ends by itself (a timer, or a question that gives up).'),
  }),
);
export type WaitView = z.infer<typeof WaitView>;

export const WaitListParams = named('WaitListParams', z.object({ sessionId: z.string() }));
export const WaitListResponse = named('WaitListResponse', z.object({ waits: z.array(WaitView) }));

const answerText = () => z.string().min(1, 'expected a non-empty answer').max(MAX_WAIT_ANSWER_CHARS, `at most ${MAX_WAIT_ANSWER_CHARS} characters`);

export const WaitResolveParams = named(
  'WaitResolveParams',
  z.strictObject({
    sessionId: z.string(),
    promiseId: z.string().min(1),
    answer: answerText().nullish().describe('The answer the model receives as the tool result (text); omit to resolve with no payload. Not for approvals.'),
    forSession: z.boolean().nullish().describe('For an approval: also approve every later call of this tool in the session.'),
  }),
);
export const WaitFailParams = named(
  'WaitFailParams',
  z.strictObject({ sessionId: z.string(), promiseId: z.string().min(1), reason: answerText().describe('Why; the model receives it as an error result. For an approval, this denies the call.') }),
);
export const WaitCancelParams = named(
  'WaitCancelParams',
  z.strictObject({ sessionId: z.string(), promiseId: z.string().min(1), reason: answerText().nullish() }),
);

export const WaitResolution = named('WaitResolution', z.enum(['resolved', 'failed', 'cancelled']));
export const WaitResolveResponse = named('WaitResolveResponse', z.object({ promiseId: z.string(), resolution: WaitResolution }));

