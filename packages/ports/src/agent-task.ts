/*
 * What an agent definition says about the tasks it runs (the `task` field of an agent file's front
 * matter and of the profile document it compiles to; docs/agents.md, "Tasks"). Plain JSON in the
 * profile store, so every layer that reads profiles (the API at `tasks/create`, the dispatcher when
 * it starts a run) reads the same field.
 */
export interface AgentTaskSpec {
  /**
   * A JSON Schema (2020-12, or draft-07 when its `$schema` says so) every task payload for this
   * agent must satisfy; `tasks/create` refuses a payload that does not, and enqueues nothing.
   */
  schema?: Record<string, unknown>;
  /**
   * How the dispatcher renders a task into the run's input: text with `{{payload}}` (the whole
   * payload as JSON), `{{payload.a.b}}` (one field: a string as is, anything else as JSON),
   * `{{task.id}}`, `{{task.kind}}`, `{{task.subject}}`, `{{task.source}}`. Without a template the
   * input is the payload itself (a string as is, anything else as JSON).
   */
  template?: string;
  /**
   * Paths in the session's workspace (absolute, as the agent's file tools see them) a successful
   * run must have produced; a run that claims success without them ends the task `blocked`.
   */
  requiredArtifacts?: string[];
}

/** The task spec of a stored profile document, if it has one (shape-checked when it was stored). */
export function agentTaskSpecOf(document: Record<string, unknown>): AgentTaskSpec | undefined {
  const task = document.task;
  return task !== null && typeof task === 'object' && !Array.isArray(task) ? (task as AgentTaskSpec) : undefined;
}
