import { getJson, putText } from '@lightspeed/cas';
import { findRun, type PromiseState, type SessionState } from '@lightspeed/engine';
import type { BlobStore } from '@lightspeed/ports';
import { invalidRequest, notFound } from '../rpc/api-error.js';
import type { MethodHandlers } from '../rpc/dispatcher.js';
import type { WaitView } from '../schemas/waits.js';
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

    'session/waits/resolve': async ({ sessionId, promiseId, answer }, { universe }) => {
      const promise = await knownWait(universe, sessionId, promiseId);
      const blobs = host.blobs(universe);
      if (answer != null && promise?.wait?.kind === 'question' && promise.wait.detailRef) {
        const choices = (await getJson<QuestionDetail>(blobs, promise.wait.detailRef)).choices;
        if (Array.isArray(choices) && !choices.includes(answer)) throw invalidRequest(`answer: expected one of the offered choices: ${choices.map((c) => JSON.stringify(c)).join(', ')}`);
      }
      const payloadRef = answer != null ? await putText(blobs, answer) : undefined;
      await access.submit({ universe, sessionId }, { type: 'promise.resolve', promiseId, ...(payloadRef ? { payloadRef } : {}) });
      return { result: { promiseId, resolution: 'resolved' as const } };
    },

    'session/waits/fail': async ({ sessionId, promiseId, reason }, { universe }) => {
      await knownWait(universe, sessionId, promiseId);
      const payloadRef = await putText(host.blobs(universe), reason);
      await access.submit({ universe, sessionId }, { type: 'promise.resolve', promiseId, outcome: 'failed', payloadRef });
      return { result: { promiseId, resolution: 'failed' as const } };
    },

    'session/waits/cancel': async ({ sessionId, promiseId, reason }, { universe }) => {
      await knownWait(universe, sessionId, promiseId);
      const payloadRef = reason != null ? await putText(host.blobs(universe), reason) : undefined;
      await access.submit({ universe, sessionId }, { type: 'promise.resolve', promiseId, outcome: 'cancelled', ...(payloadRef ? { payloadRef } : {}) });
      return { result: { promiseId, resolution: 'cancelled' as const } };
    },
  };
}

async function waitView(state: SessionState, promise: PromiseState, blobs: BlobStore): Promise<WaitView> {
  const { runId, batchId, callId } = promise.owner;
  const call = findRun(state, runId)?.batches.find((batch) => batch.batchId === batchId)?.calls.find((c) => c.callId === callId);
  const view: WaitView = { promiseId: promise.promiseId, kind: promise.wait?.kind ?? (promise.deadline !== undefined ? 'timer' : 'promise'), runId, callId, createdAtMs: promise.createdAt };
  if (call) view.toolName = call.name;
  if (promise.wait?.preview !== undefined) view.preview = promise.wait.preview;
  if (promise.deadline !== undefined) view.deadlineMs = promise.deadline;
  if (promise.wait?.kind === 'question' && promise.wait.detailRef) {
    const detail = await getJson<QuestionDetail>(blobs, promise.wait.detailRef);
    if (typeof detail.question === 'string') view.question = detail.question;
    if (Array.isArray(detail.choices) && detail.choices.every((c) => typeof c === 'string')) view.choices = detail.choices as string[];
  }
  return view;
}
