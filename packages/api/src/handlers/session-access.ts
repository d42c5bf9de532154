import type { AgentHost, SessionRef } from '@lightspeed/driver';
import type { AdmitResult, Command, SessionState } from '@lightspeed/engine';
import { notFound } from '../rpc/api-error.js';
import { rejectionError } from './rejection.js';

/** Reads and writes of one session through the host, with contract errors for the failure cases. */
export class SessionAccess {
  constructor(readonly host: AgentHost) {}

  async read(ref: SessionRef): Promise<SessionState> {
    const state = await this.host.state(ref);
    if (!state || state.status === 'new') throw notFound(`session ${ref.sessionId} does not exist; create it with session/start`);
    return state;
  }

  /** Submits a command; an engine rejection becomes the matching ApiError. */
  async submit(ref: SessionRef, command: Command): Promise<{ state: SessionState; result: AdmitResult; head: number }> {
    const outcome = await this.host.submit(ref, command);
    if (!outcome.ok) throw rejectionError(outcome.rejection, command.type);
    return { state: outcome.state, result: outcome.result ?? {}, head: outcome.head };
  }
}
