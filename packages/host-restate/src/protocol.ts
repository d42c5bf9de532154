import type { Action, AdmitResult, Command, Rejection, ToolInvocation } from '@lightspeed/engine';
import type * as restate from '@restatedev/restate-sdk';

export const SESSION_OBJECT = 'LightspeedSession';
export const EFFECTS_SERVICE = 'LightspeedEffects';

/** What `submit` answers: embedded mode's outcome minus the state (the client reads it from the store). */
export type SubmitReply = { ok: true; result?: AdmitResult; head: number } | { ok: false; rejection: Rejection };

/**
 * The only durable facts a session object keeps in Restate state: its committed head, the effects it
 * dispatched and still wants, the armed timer and the last snapshot. Constant size per session.
 */
export interface SessionFacts {
  head: number;
  inflight: string[];
  timerAt?: number;
  snapshotSeq: number;
}

export type EffectSpec =
  | { type: 'generate'; action: Extract<Action, { type: 'generate' }> }
  | { type: 'compact'; action: Extract<Action, { type: 'compact' }> }
  | { type: 'tool'; call: ToolInvocation };

/** One effect sent to the effects service: refs and ids only, never bodies. */
export interface EffectRequest {
  /** The session object's key (JSON [universe, sessionId]). */
  key: string;
  effectKey: string;
  /** The head whose state the effect was planned from (a generation re-derives its request there). */
  head: number;
  effect: EffectSpec;
}

export interface SessionObjectApi {
  submit(ctx: restate.ObjectContext, command: Command): Promise<SubmitReply>;
  timer(ctx: restate.ObjectContext, input: { until: number }): Promise<void>;
  forget(ctx: restate.ObjectContext): Promise<void>;
  status(ctx: restate.ObjectSharedContext): Promise<SessionFacts>;
}

export interface EffectsServiceApi {
  perform(ctx: restate.Context, request: EffectRequest): Promise<void>;
}

export const sessionObjectRef: restate.VirtualObjectDefinition<typeof SESSION_OBJECT, SessionObjectApi> = { name: SESSION_OBJECT };
export const effectsServiceRef: restate.ServiceDefinition<typeof EFFECTS_SERVICE, EffectsServiceApi> = { name: EFFECTS_SERVICE };

export function effectKeyOf(spec: EffectSpec): string {
  switch (spec.type) {
    case 'generate':
      return `generate:${spec.action.turnId}:${spec.action.attempt}`;
    case 'compact':
      return `compact:${spec.action.compactionId}`;
    case 'tool':
      return `tool:${spec.call.callId}`;
  }
}
