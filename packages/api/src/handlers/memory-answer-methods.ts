import type { AgentHost } from '@lightspeed/driver';
import type { Memory } from '@lightspeed/memory';
import { parseMemoryId } from '@lightspeed/tools';
import type { ProfileCatalog } from '../profiles/profile-catalog.js';
import { ApiError } from '../rpc/api-error.js';
import type { CallContext, MethodHandlers } from '../rpc/dispatcher.js';
import type { ProfileSource } from '../schemas/session.js';
import { awaitRun, verifyAnswer } from './answer-citations.js';

/** The name of the answer agent: a universe's profile of this name overrides the shipped one. */
export const ANSWER_AGENT = 'answer';
const DEFAULT_WAIT_MS = 120_000;

type InlineProfile = Extract<ProfileSource, { kind: 'inline' }>['profile'];

export interface MemoryAnswerDeps {
  host: AgentHost;
  memory: Memory;
  catalog: ProfileCatalog;
  /** session/start and session/runs/start: an answer is an ordinary session and run, with their checks. */
  handlers: MethodHandlers;
  /** The shipped answer agent (its profile document), used when the universe stores no `answer` profile. */
  shipped?: InlineProfile;
}

/** memory/answer, memory/answers/read (Lightspeed extensions, issue 17). */
export function memoryAnswerMethods(deps: MemoryAnswerDeps): MethodHandlers {
  const start = deps.handlers['session/start'];
  const runStart = deps.handlers['session/runs/start'];
  if (!start || !runStart) throw new Error('memoryAnswerMethods needs the session/start and session/runs/start handlers');

  const exists = (universe: string) => async (id: string) => {
    const parsed = parseMemoryId(id);
    if (!parsed) return false;
    return parsed.kind === 'event' ? (await deps.memory.events(universe).get(parsed.id)) !== undefined : (await deps.memory.graph(universe).entity(parsed.ref)) !== undefined;
  };

  /** A named agent as asked; else the universe's `answer` profile when it stores one; else the shipped agent. */
  const profileFor = async (agent: string | null | undefined, universe: string): Promise<ProfileSource> => {
    if (agent != null) return { kind: 'named', profileId: agent };
    if (!deps.shipped) return { kind: 'named', profileId: ANSWER_AGENT };
    try {
      await deps.catalog.read(universe, ANSWER_AGENT);
      return { kind: 'named', profileId: ANSWER_AGENT };
    } catch (error) {
      if (error instanceof ApiError && error.kind === 'not_found') return { kind: 'inline', profile: deps.shipped };
      throw error;
    }
  };

  const answerOf = async (context: CallContext, sessionId: string, runId: string, waitMs: number) => {
    const ref = { universe: context.universe, sessionId };
    if (waitMs > 0) await awaitRun(deps.host, ref, runId, waitMs, context.signal);
    return { result: await verifyAnswer(deps.host, ref, runId, exists(context.universe)) };
  };

  return {
    'memory/answer': async ({ question, agent, waitMs }, context) => {
      const profile = await profileFor(agent, context.universe);
      const preview = question.length > 80 ? `${question.slice(0, 79)}…` : question;
      const { session } = (await start({ profile, displayName: `Answer: ${preview}` }, context)).result;
      const { run } = (await runStart({ sessionId: session.id, source: { type: 'input', items: [{ type: 'text', text: question }] } }, context)).result;
      return answerOf(context, session.id, run.id, waitMs ?? DEFAULT_WAIT_MS);
    },
    'memory/answers/read': async ({ sessionId, runId, waitMs }, context) => answerOf(context, sessionId, runId, waitMs ?? 0),
  };
}
