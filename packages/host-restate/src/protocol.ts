import type { AdmitResult, Command, Rejection } from '@lightspeed/engine';
import type * as restate from '@restatedev/restate-sdk';

export const SESSION_OBJECT = 'LightspeedSession';
export const EFFECTS_SERVICE = 'LightspeedEffects';

/** A CAS ref as it travels through Restate (`sha256:<hex>`). */
export type BlobRefString = string;

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

/**
 * One effect sent to the effects service: which one (`generate:<turn>:<attempt>`, `compact:<id>`,
 * `tool:<callId>`) and the head it was planned at. The service re-plans at that head to get the
 * action, so no request body, context or tool argument is ever journaled.
 */
export interface EffectRequest {
  /** The session object's key (JSON [universe, sessionId]). */
  key: string;
  effectKey: string;
  head: number;
}

export interface SessionObjectApi {
  submit(ctx: restate.ObjectContext, command: Command): Promise<SubmitReply>;
  /** A runtime result from the effects service, by CAS ref. */
  deliver(ctx: restate.ObjectContext, input: { ref: BlobRefString; effectKey: string }): Promise<void>;
  timer(ctx: restate.ObjectContext, input: { until: number }): Promise<void>;
  forget(ctx: restate.ObjectContext): Promise<void>;
  status(ctx: restate.ObjectSharedContext): Promise<SessionFacts>;
}

export interface EffectsServiceApi {
  perform(ctx: restate.Context, request: EffectRequest): Promise<void>;
}

export const sessionObjectRef: restate.VirtualObjectDefinition<typeof SESSION_OBJECT, SessionObjectApi> = { name: SESSION_OBJECT };
export const effectsServiceRef: restate.ServiceDefinition<typeof EFFECTS_SERVICE, EffectsServiceApi> = { name: EFFECTS_SERVICE };
