import type { ScriptExecutorConfig } from './script-executor.js';

/**
 * What an agent definition says about running tasks (the `task` section of an agent file or
 * profile document): how the payload becomes the run's input, and what the run must leave behind.
 */
export interface AgentTaskConfig {
  /** The task template (see task-template.ts); absent: `DEFAULT_TASK_TEMPLATE`. */
  template?: string;
  /**
   * Paths (in the session's file space: its workspace mounts, or its host directory) a successful
   * run must have produced. Missing ones block the task with the paths; the dispatcher only reads them.
   */
  requiredArtifacts?: readonly string[];
  /**
   * A script executor runs the task's attempts instead of an agent (script-executor.ts); its
   * `requiredArtifacts` are paths in its workspace. The opener opens no session for it.
   */
  executor?: ScriptExecutorConfig;
}

/** The agent an attempt's session was opened from. */
export interface TaskAgent {
  /** The revision of the agent definition (profile) the session pinned. */
  revision?: number;
  task: AgentTaskConfig;
}

/**
 * Opens the session of one attempt from a named agent definition, exactly as the API's
 * `session/start` with a named profile does (the API implements this over its own handler; the
 * dispatcher sits below the API and sees only this). Idempotent by session id: opening an existing
 * session answers with the agent it was opened from. An unknown agent is a `not_found` error. For a
 * definition with a script executor no session is opened: the answer carries the executor.
 */
export interface TaskSessionOpener {
  open(universe: string, sessionId: string, agent: string): Promise<TaskAgent>;
}
