import { extension } from '../method-spec.js';
import * as waits from '../waits.js';
import * as dispatch from '../dispatch.js';
import * as tasks from '../tasks.js';

/** Waits, the task queue and its dispatch: methods this server adds to the v1 contract (docs/0010). */
export const workMethodSpecs = {
  'session/waits/list': extension(
    'session/waits/list',
    ['WaitListParams', waits.WaitListParams],
    ['WaitListResponse', waits.WaitListResponse],
    'List open waits (Lightspeed extension)',
    'The deferred tool calls the session waits on: timers, questions to the user (with their choices), approvals and children, oldest first.',
  ),
  'session/waits/resolve': extension(
    'session/waits/resolve',
    ['WaitResolveParams', waits.WaitResolveParams],
    ['WaitResolveResponse', waits.WaitResolveResponse],
    'Answer a wait (Lightspeed extension)',
    'Resolves the promise with an optional answer, which the model receives as the tool result. First writer wins: a second resolution is a conflict.',
  ),
  'session/waits/fail': extension(
    'session/waits/fail',
    ['WaitFailParams', waits.WaitFailParams],
    ['WaitResolveResponse', waits.WaitResolveResponse],
    'Fail a wait (Lightspeed extension)',
    'Ends the wait with a reason the model receives as an error result.',
  ),
  'session/waits/cancel': extension(
    'session/waits/cancel',
    ['WaitCancelParams', waits.WaitCancelParams],
    ['WaitResolveResponse', waits.WaitResolveResponse],
    'Cancel a wait (Lightspeed extension)',
    'Ends the wait unanswered; the model is told no answer will come (or the reason given). The run continues.',
  ),
  'dispatch/pause': extension(
    'dispatch/pause',
    ['DispatchPauseParams', dispatch.DispatchPauseParams],
    ['DispatchPauseResponse', dispatch.DispatchPauseResponse],
    'Pause task dispatch (Lightspeed extension)',
    'Durably stops dispatchers from starting tasks of the universe, or of one agent. Running tasks go on; queued ones wait.',
  ),
  'dispatch/resume': extension(
    'dispatch/resume',
    ['DispatchResumeParams', dispatch.DispatchResumeParams],
    ['DispatchResumeResponse', dispatch.DispatchResumeResponse],
    'Resume task dispatch (Lightspeed extension)',
    'Lifts a pause of the universe or of one agent; resuming what is not paused answers resumed: false.',
  ),
  'dispatch/status': extension(
    'dispatch/status',
    ['DispatchStatusParams', dispatch.DispatchStatusParams],
    ['DispatchStatusResponse', dispatch.DispatchStatusResponse],
    'Task dispatch health (Lightspeed extension)',
    'Queue depth by state, oldest queued age, pauses, dispatchers alive and the last error one reported.',
  ),
  'tasks/create': extension(
    'tasks/create',
    ['TaskCreateParams', tasks.TaskCreateParams],
    ['TaskCreateResponse', tasks.TaskCreateResponse],
    'Create a task (Lightspeed extension)',
    "Enqueues work for an agent in the caller's universe. The agent must exist and the payload must satisfy its task.schema; otherwise nothing is enqueued. A dedupeKey held by a waiting or running task returns that task with deduped: true.",
  ),
  'tasks/read': extension(
    'tasks/read',
    ['TaskReadParams', tasks.TaskReadParams],
    ['TaskReadResponse', tasks.TaskReadResponse],
    'Read a task (Lightspeed extension)',
    'The task with its payload (read from CAS when it was stored there).',
  ),
  'tasks/list': extension(
    'tasks/list',
    ['TaskListParams', tasks.TaskListParams],
    ['TaskListResponse', tasks.TaskListResponse],
    'List tasks (Lightspeed extension)',
    'Newest first, filtered by states, kind, agent, source, concurrency key or tag, with an opaque cursor for the next page. Payloads are left out.',
  ),
  'tasks/cancel': extension(
    'tasks/cancel',
    ['TaskCancelParams', tasks.TaskCancelParams],
    ['TaskCancelResponse', tasks.TaskCancelResponse],
    'Cancel a task (Lightspeed extension)',
    'A waiting task is cancelled now; a running one gets cancelRequested and its dispatcher cancels the run. A finished task is rejected.',
  ),
  'tasks/retry': extension(
    'tasks/retry',
    ['TaskRetryParams', tasks.TaskRetryParams],
    ['TaskRetryResponse', tasks.TaskRetryResponse],
    'Retry a task now (Lightspeed extension)',
    'Moves a failed, blocked or cancelled task back to queued, with one more attempt if they were exhausted. Any other state is rejected.',
  ),
  'tasks/attempts/list': extension(
    'tasks/attempts/list',
    ['TaskAttemptListParams', tasks.TaskAttemptListParams],
    ['TaskAttemptListResponse', tasks.TaskAttemptListResponse],
    'List the attempts of a task (Lightspeed extension)',
    'Every attempt, oldest first: dispatcher, session and run ids, outcome, error class, usage, cost, evidence and the next attempt time.',
  ),
} as const;
