import type { AdmitResult, Command, ContextPutEntry, Rejection, SessionConfig, SessionState } from '@lightspeed/engine';

/** What a session answered a command sent to it: admitted (with its result) or refused. */
export type DirectoryOutcome = { ok: true; result?: AdmitResult } | { ok: false; rejection: Rejection };

/**
 * The sessions of one universe as an effect reaches them: commands go through the host (admitted
 * and committed by the receiving session's own loop, workflow or object), state is read from it.
 * Sub-agent tools and the delivery of owed messages (`deliver`) use it; each host implements it
 * with its own primitive for "send to another session".
 */
export interface SessionDirectory {
  submit(sessionId: string, command: Command): Promise<DirectoryOutcome>;
  state(sessionId: string): Promise<SessionState | undefined>;
}

/** How a session starts from an agent definition: its config, name and context (its instructions, in CAS). */
export interface AgentStart {
  config: SessionConfig;
  displayName?: string;
  context?: ContextPutEntry[];
}

/**
 * Agent definitions a sub-agent may be spawned from (`spawn_agent {agent}`): how a session starts
 * from a profile of the universe, undefined when there is no such profile. A profile the server's
 * policy refuses throws an `invalid` LightspeedError naming why.
 */
export interface AgentCatalog {
  resolve(profileId: string): Promise<AgentStart | undefined>;
}
