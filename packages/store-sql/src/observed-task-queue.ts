import {
  taskEventTask,
  type AttemptBlock,
  type AttemptFailure,
  type AttemptFacts,
  type AttemptReport,
  type ClaimedTask,
  type ClaimOptions,
  type Task,
  type TaskAttempt,
  type TaskCounts,
  type TaskEventChannel,
  type TaskEventType,
  type TaskInput,
  type TaskJson,
  type TaskLease,
  type TaskListOptions,
  type TaskQueue,
} from '@lightspeed/ports';

/**
 * A TaskQueue that publishes a task event after every transition it makes (docs/0019-task-queue.md,
 * "Events"). The storage wraps every queue it hands out in one, so the API and every dispatcher
 * emit the same events without knowing about them. An event is published only after the write
 * committed, and a failed write publishes nothing; `at` is the task's own `updatedAt`, the store's
 * time of the transition.
 */
export class ObservedTaskQueue implements TaskQueue {
  constructor(
    private readonly inner: TaskQueue,
    private readonly universe: string,
    private readonly events: TaskEventChannel,
  ) {}

  private emit(type: TaskEventType, task: Task, extra: { attempt?: number; adopted?: boolean } = {}): void {
    this.events.publish(this.universe, { type, at: task.updatedAt, task: taskEventTask(task), ...extra });
  }

  async enqueue(input: TaskInput): Promise<{ task: Task; deduped: boolean }> {
    const result = await this.inner.enqueue(input);
    if (!result.deduped) this.emit('created', result.task);
    return result;
  }

  get(taskId: string): Promise<Task | undefined> {
    return this.inner.get(taskId);
  }

  payload(task: Task): Promise<TaskJson> {
    return this.inner.payload(task);
  }

  list(options?: TaskListOptions): Promise<{ tasks: Task[]; nextCursor?: string }> {
    return this.inner.list(options);
  }

  attempts(taskId: string): Promise<TaskAttempt[]> {
    return this.inner.attempts(taskId);
  }

  counts(): Promise<TaskCounts> {
    return this.inner.counts();
  }

  async claim(options: ClaimOptions): Promise<ClaimedTask[]> {
    const claimed = await this.inner.claim(options);
    for (const { task, attempt, adopted } of claimed) this.emit('claimed', task, { attempt: attempt.attempt, ...(adopted ? { adopted } : {}) });
    return claimed;
  }

  /** Renewing is no transition: nothing is published. */
  renew(lease: TaskLease, options?: { leaseMs?: number; facts?: AttemptFacts }): Promise<{ lease: TaskLease; cancelRequested: boolean }> {
    return this.inner.renew(lease, options);
  }

  async succeed(lease: TaskLease, report?: AttemptReport): Promise<Task> {
    const task = await this.inner.succeed(lease, report);
    this.emit('succeeded', task, { attempt: lease.attempt });
    return task;
  }

  async fail(lease: TaskLease, failure: AttemptFailure): Promise<Task> {
    const task = await this.inner.fail(lease, failure);
    // A failure ends the task (failed, or cancelled when a cancel was pending) or reschedules it.
    const type: TaskEventType = task.state === 'failed' ? 'failed' : task.state === 'cancelled' ? 'cancelled' : 'rescheduled';
    this.emit(type, task, { attempt: lease.attempt });
    return task;
  }

  async block(lease: TaskLease, block: AttemptBlock): Promise<Task> {
    const task = await this.inner.block(lease, block);
    this.emit('blocked', task, { attempt: lease.attempt });
    return task;
  }

  async cancelled(lease: TaskLease, report?: AttemptReport): Promise<Task> {
    const task = await this.inner.cancelled(lease, report);
    this.emit('cancelled', task, { attempt: lease.attempt });
    return task;
  }

  async cancel(taskId: string, reason?: string): Promise<Task> {
    const task = await this.inner.cancel(taskId, reason);
    this.emit(task.state === 'cancelled' ? 'cancelled' : 'cancel_requested', task);
    return task;
  }

  async retry(taskId: string): Promise<Task> {
    const task = await this.inner.retry(taskId);
    this.emit('retried', task);
    return task;
  }
}
