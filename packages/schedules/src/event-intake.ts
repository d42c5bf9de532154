import type { Clock, SensorEvent, SensorEventInput, SensorEventStore, TaskQueue, TriggerFiring, TriggerRecord, TriggerStore } from '@lightspeed/ports';
import { renderTask } from './task-template.js';
import { triggerMatches } from './trigger-definition.js';
import { fireWorkflow } from './trigger-workflow.js';
import type { WorkflowService } from './workflow-service.js';

export interface EventIntakeOptions {
  events(universe: string): SensorEventStore;
  triggers(universe: string): TriggerStore;
  tasks(universe: string): TaskQueue;
  /** Where triggers with a `workflow` part start or advance instances (without it, such a firing records an error). */
  workflows?: WorkflowService;
  clock: Clock;
  /**
   * A repeat of an event whose dispatch has not finished after this long (default 30 s) runs it
   * again: the first delivery's process died between recording and enqueueing. Shorter would let
   * concurrent repeats race the first one's dispatch.
   */
  repairAfterMs?: number;
  /**
   * How long the enabled triggers of a (universe, source) are reused before they are read again
   * (default 1 s). A trigger put or deleted through this process takes effect at once
   * (`forget`); one changed by another server within this long.
   */
  triggerCacheMs?: number;
}

function messageOf(error: unknown): string {
  return (error as Error)?.message ?? String(error);
}

export interface IngestResult {
  event: SensorEvent;
  /** A repeat: the original event is answered and no task is created. */
  deduped: boolean;
}

/**
 * Where every sensor event enters: `events/ingest`, `POST /hooks/<hookId>`, and provider webhooks
 * (the memory package calls `ingest` with its canonical events). The event is recorded once per
 * dedupe key; only the delivery that recorded it runs the triggers, each enqueueing a task whose
 * dedupe key names the event and the trigger, so a repaired dispatch finds the task a crashed one
 * made while that task is still waiting or running.
 */
export class EventIntake {
  private readonly repairAfterMs: number;
  private readonly triggerCacheMs: number;
  private readonly cached = new Map<string, { at: number; triggers: Promise<TriggerRecord[]> }>();

  constructor(private readonly options: EventIntakeOptions) {
    this.repairAfterMs = options.repairAfterMs ?? 30_000;
    this.triggerCacheMs = options.triggerCacheMs ?? 1_000;
  }

  /** Drops the cached triggers of a universe (after a put or delete of one of them). */
  forget(universe: string): void {
    for (const key of this.cached.keys()) if (key.startsWith(`${universe}\u0000`)) this.cached.delete(key);
  }

  /** The enabled triggers for a source, read at most once per `triggerCacheMs` (a burst of events shares one read). */
  private matching(universe: string, source: string): Promise<TriggerRecord[]> {
    const key = `${universe}\u0000${source}`;
    const now = Date.now();
    const hit = this.cached.get(key);
    if (hit && now - hit.at < this.triggerCacheMs) return hit.triggers;
    const triggers = this.options.triggers(universe).matching(source);
    this.cached.set(key, { at: now, triggers });
    // A failed read is not kept: the next event reads again.
    triggers.catch(() => this.cached.delete(key));
    if (this.cached.size > 10_000) this.cached.clear();
    return triggers;
  }

  async ingest(universe: string, input: SensorEventInput): Promise<IngestResult> {
    const { event, deduped } = await this.options.events(universe).record(input);
    if (!deduped) return { event: await this.dispatch(universe, event), deduped: false };
    if (event.dispatchedAt === undefined && this.options.clock.now() - event.receivedAt >= this.repairAfterMs) {
      return { event: await this.dispatch(universe, event), deduped: true };
    }
    return { event, deduped: true };
  }

  /** Runs the triggers of a recorded event and marks it dispatched. */
  async dispatch(universe: string, event: SensorEvent): Promise<SensorEvent> {
    const queue = this.options.tasks(universe);
    const firings: TriggerFiring[] = [];
    for (const trigger of await this.matching(universe, event.source)) {
      const { definition } = trigger;
      if (!triggerMatches(definition, event)) continue;
      const context = { event: { id: event.id, source: event.source, type: event.type, subject: event.subject ?? null, externalId: event.externalId ?? null, payload: event.payload, receivedAt: event.receivedAt } };
      const firing: TriggerFiring = { triggerId: definition.triggerId };
      const errors: string[] = [];
      // A template the queue refuses, or a workflow that cannot move, is this trigger's fault: record it, run the others.
      if (definition.task) {
        try {
          const input = renderTask(definition.task, context, {
            source: `trigger:${definition.triggerId}`,
            dedupeKey: `event:${event.id}:trigger:${definition.triggerId}`,
            tags: [`trigger:${definition.triggerId}`, `event:${event.id}`],
          });
          if (input.subject === undefined && event.subject !== undefined) input.subject = event.subject.slice(0, 256);
          const { task, deduped } = await queue.enqueue(input);
          firing.taskId = task.id;
          if (deduped) firing.deduped = true;
        } catch (error) {
          errors.push(messageOf(error));
        }
      }
      if (definition.workflow) {
        try {
          if (!this.options.workflows) throw new Error('this server has no workflow service; the trigger cannot start workflows');
          firing.workflow = await fireWorkflow(this.options.workflows, universe, definition.workflow, context, event.id);
        } catch (error) {
          errors.push(`workflow: ${messageOf(error)}`);
        }
      }
      if (errors.length > 0) firing.error = errors.join('; ').slice(0, 500);
      firings.push(firing);
    }
    return this.options.events(universe).markDispatched(event.id, firings);
  }

  /** Dispatches events whose dispatch was interrupted (older than the repair delay). */
  async repair(universe: string, limit = 100): Promise<number> {
    const stale = await this.options.events(universe).undispatched(this.options.clock.now() - this.repairAfterMs, limit);
    for (const event of stale) await this.dispatch(universe, event);
    return stale.length;
  }
}
