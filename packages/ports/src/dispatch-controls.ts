/*
 * Operator controls of task dispatch (issue 14): durable pauses per universe and per agent, and the
 * registry of dispatchers alive (heartbeat rows) that the health figure counts. The dispatcher reads
 * the pauses before every claim; pausing never touches running tasks (they finish or are cancelled).
 */

/** A pause of the whole universe (`agent` absent) or of one agent's tasks. */
export interface DispatchPause {
  agent?: string;
  reason?: string;
  /** Who paused (`local user`, `key <id>`). */
  by?: string;
  pausedAt: number;
}

/** A dispatcher's heartbeat row: it is alive while `heartbeatAt` is recent. */
export interface DispatcherRecord {
  id: string;
  startedAt: number;
  heartbeatAt: number;
  /** Attempts it is running now. */
  inFlight: number;
  lastError?: { message: string; at: number };
}

export interface DispatcherBeat {
  id: string;
  startedAt: number;
  inFlight: number;
  /** The latest error the dispatcher hit (a failed claim, a failed settle); kept until replaced. */
  lastError?: { message: string; at: number };
}

/** The dispatch controls of one universe. */
export interface DispatchControls {
  /** Pauses dispatch of the universe (no `agent`) or of one agent; pausing again updates the reason. */
  pause(options: { agent?: string; reason?: string; by?: string }): Promise<DispatchPause>;
  /** Lifts a pause; resuming what is not paused is not an error (`resumed: false`). */
  resume(options: { agent?: string }): Promise<{ resumed: boolean }>;
  /** Every pause in force, the universe's own first. */
  pauses(): Promise<DispatchPause[]>;
  /** Records that a dispatcher is alive (insert or update its row). */
  heartbeat(beat: DispatcherBeat): Promise<void>;
  /** Dispatchers whose last heartbeat is not older than `aliveWithinMs`; older rows are pruned. */
  dispatchers(aliveWithinMs: number): Promise<DispatcherRecord[]>;
  /** A dispatcher leaving cleanly removes its row. */
  leave(dispatcherId: string): Promise<void>;
}
