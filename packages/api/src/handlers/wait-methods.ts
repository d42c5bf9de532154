import { getJson, getText, putText } from '@lightspeed/cas';
import { findRun, type PromiseState, type SessionState } from '@lightspeed/engine';
import type { BlobStore } from '@lightspeed/ports';
import { invalidRequest, notFound } from '../rpc/api-error.js';
import type { MethodHandlers } from '../rpc/dispatcher.js';
import { MAX_ARGUMENTS_PREVIEW, type WaitView } from '../schemas/waits.js';
import type { SessionAccess } from './session-access.js';

/** The stored detail of a question (tools' `ask_user`): bounded there, read back defensively here. */
interface QuestionDetail {
  question?: unknown;
  choices?: unknown;
}

/** session/waits/list, resolve, fail, cancel (Lightspeed extension). */
export function waitMethods(access: SessionAccess): MethodHandlers {
  const host = access.host;

  /**
   * The wait, if still open; undefined if already settled (the engine then refuses the second
   * resolution as a conflict: first writer wins). An unknown id, including another universe's, is not_found.
   */
  const knownWait = async (universe: string, sessionId: string, promiseId: string): Promise<PromiseState | undefined> => {
    const state = await access.read({ universe, sessionId });
    const promise = Object.prototype.hasOwnProperty.call(state.promises, promiseId) ? state.promises[promiseId] : undefined;
    if (promise?.status === 'pending') return promise;
    if (promise || state.settledPromises.includes(promiseId)) return undefined;
    throw notFound(`session ${sessionId} has no wait ${promiseId}; list them with session/waits/list`);
  };

  return {
    'session/waits/list': async ({ sessionId }, { universe }) => {
      const state = await access.read({ universe, sessionId });
      const blobs = host.blobs(universe);
      const waits: WaitView[] = [];
      for (const id of Object.keys(state.promises).sort()) {
        const promise = state.promises[id]!;
        if (promise.status === 'pending') waits.push(await waitView(state, promise, blobs));
      }
      waits.sort((a, b) => a.createdAtMs - b.createdAtMs || a.promiseId.localeCompare(b.promiseId));
      return { result: { waits } };
    },

    'session/waits/resolve': async ({ sessionId, promiseId, answer, forSession }, { universe, actor }) => {
      const promise = await knownWait(universe, sessionId, promiseId);
      const blobs = host.blobs(universe);
      if (promise?.wait?.kind === 'approval' && answer != null) throw invalidRequest('answer: an approval takes no answer; resolve approves it, session/waits/fail denies it with a reason');
      if (forSession && promise && promise.wait?.kind !== 'approval') throw invalidRequest(`forSession: wait ${promiseId} is not a tool approval`);
      if (answer != null && promise?.wait?.kind === 'question' && promise.wait.detailRef) {
        const choices = (await getJson<QuestionDetail>(blobs, promise.wait.detailRef)).choices;
        if (Array.isArray(choices) && !choices.includes(answer)) throw invalidRequest(`answer: expected one of the offered choices: ${choices.map((c) => JSON.stringify(c)).join(', ')}`);
      }
      const payloadRef = answer != null ? await putText(blobs, answer) : undefined;
      await access.submit({ universe, sessionId }, { type: 'promise.resolve', promiseId, ...(payloadRef ? { payloadRef } : {}), ...(forSession ? { forSession: true } : {}), ...by(actor) });
      return { result: { promiseId, resolution: 'resolved' as const } };
    },

    'session/waits/fail': async ({ sessionId, promiseId, reason }, { universe, actor }) => {
      const promise = await knownWait(universe, sessionId, promiseId);
      // A denied approval tells the model it was a person's decision, not a tool failure.
      const text = promise?.wait?.kind === 'approval' ? `The user denied this tool call: ${reason}` : reason;
      const payloadRef = await putText(host.blobs(universe), text);
      await access.submit({ universe, sessionId }, { type: 'promise.resolve', promiseId, outcome: 'failed', payloadRef, ...by(actor) });
      return { result: { promiseId, resolution: 'failed' as const } };
    },

    'session/waits/cancel': async ({ sessionId, promiseId, reason }, { universe, actor }) => {
      await knownWait(universe, sessionId, promiseId);
      const payloadRef = reason != null ? await putText(host.blobs(universe), reason) : undefined;
      await access.submit({ universe, sessionId }, { type: 'promise.resolve', promiseId, outcome: 'cancelled', ...(payloadRef ? { payloadRef } : {}), ...by(actor) });
      return { result: { promiseId, resolution: 'cancelled' as const } };
    },
  };
}

const by = (actor: string | undefined): { actor?: string } => (actor ? { actor } : {});

async function waitView(state: SessionState, promise: PromiseState, blobs: BlobStore): Promise<WaitView> {
  const { runId, batchId, callId } = promise.owner;
  const call = findRun(state, runId)?.batches.find((batch) => batch.batchId === batchId)?.calls.find((c) => c.callId === callId);
  const view: WaitView = { promiseId: promise.promiseId, kind: promise.wait?.kind ?? (promise.deadline !== undefined ? 'timer' : 'promise'), runId, callId, createdAtMs: promise.createdAt };
  if (call) view.toolName = call.name;
  if (promise.wait?.preview !== undefined) view.preview = promise.wait.preview;
  if (promise.deadline !== undefined) view.deadlineMs = promise.deadline;
  if (promise.wait?.kind === 'approval' && promise.wait.detailRef) {
    const text = await getText(blobs, promise.wait.detailRef);
    view.arguments = text.length > MAX_ARGUMENTS_PREVIEW ? text.slice(0, MAX_ARGUMENTS_PREVIEW) : text;
    if (text.length > MAX_ARGUMENTS_PREVIEW) view.argumentsTruncated = true;
  }
  if (promise.wait?.kind === 'question' && promise.wait.detailRef) {
    const detail = await getJson<QuestionDetail>(blobs, promise.wait.detailRef);
    if (typeof detail.question === 'string') view.question = detail.question;
    if (Array.isArray(detail.choices) && detail.choices.every((c) => typeof c === 'string')) view.choices = detail.choices as string[];
  }
  return view;
}
