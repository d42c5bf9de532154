import { systemClock, type Clock, type HookDirectory, type ScheduleLedger, type ScheduleStore, type SensorEventStore, type TaskQueue, type TriggerStore, type WorkflowLedger, type WorkflowStore, type WorkflowTemplate } from '@lightspeed/ports';
import { EventIntake } from './event-intake.js';
import { HookIngress } from './hook-ingress.js';
import { Scheduler } from './scheduler.js';
import { ScheduleService } from './schedule-service.js';
import { TriggerService } from './trigger-service.js';
import { WorkflowService } from './workflow-service.js';
import { loadWorkflowTemplates } from './workflow-template.js';

/** The stores operations run on (the SQL store's `Storage` has them all). */
export interface OperationsStores {
  schedules(universe: string): ScheduleStore;
  scheduleLedger(): ScheduleLedger;
  triggers(universe: string): TriggerStore;
  events(universe: string): SensorEventStore;
  hooks(): HookDirectory;
  tasks(universe: string): TaskQueue;
  undispatchedEventUniverses(before: number): Promise<string[]>;
  workflows(universe: string): WorkflowStore;
  workflowLedger(): WorkflowLedger;
}

export interface OperationsOptions {
  clock?: Clock;
  /** The scheduler's identity (default host:pid:random). */
  owner?: string;
  tickMs?: number;
  leaseMs?: number;
  /** Webhook deliveries per universe and second (default 100; bursts of twice that). */
  hookRatePerSecond?: number;
  log?: (line: string) => void;
  /** The workflow templates (default: the built-in ones and those of `projectDir`, read once). */
  workflowTemplates?: () => Promise<readonly WorkflowTemplate[]>;
  /** Where `.lightspeed/workflows/` is looked for (default: none, built-ins only). */
  projectDir?: string;
}

export interface Operations {
  schedules: ScheduleService;
  triggers: TriggerService;
  /** Where every sensor event enters; the memory package feeds its canonical events here. */
  intake: EventIntake;
  events(universe: string): SensorEventStore;
  hooks: HookIngress;
  /** Goal-loop workflows; the scheduler's leader sweeps instances whose step ended. */
  workflows: WorkflowService;
  /** Not started: `lightspeed serve` starts it unless `--no-schedules`. */
  scheduler: Scheduler;
}

/** Assembles schedules, triggers, the intake, the webhook ingress and the scheduler over one set of stores. */
export function createOperations(stores: OperationsStores, options: OperationsOptions = {}): Operations {
  const clock = options.clock ?? systemClock;
  const tasks = (universe: string) => stores.tasks(universe);
  let loaded: Promise<readonly WorkflowTemplate[]> | undefined;
  const templates = options.workflowTemplates ?? (() => (loaded ??= loadWorkflowTemplates(options.projectDir)));
  const workflows = new WorkflowService({ workflows: (u) => stores.workflows(u), ledger: stores.workflowLedger(), tasks, templates, clock });
  const intake = new EventIntake({ events: (u) => stores.events(u), triggers: (u) => stores.triggers(u), tasks, workflows, clock });
  const scheduler = new Scheduler({
    ledger: stores.scheduleLedger(),
    schedules: (u) => stores.schedules(u),
    tasks,
    clock,
    ...(options.owner ? { owner: options.owner } : {}),
    ...(options.tickMs ? { tickMs: options.tickMs } : {}),
    ...(options.leaseMs ? { leaseMs: options.leaseMs } : {}),
    ...(options.log ? { log: options.log } : {}),
    // The leader also finishes event dispatches a crashed process left (see EventIntake.repair).
    afterTick: async (now) => {
      for (const universe of await stores.undispatchedEventUniverses(now - 30_000)) await intake.repair(universe);
      // …and moves workflow instances whose step's task ended (or was never enqueued).
      await workflows.sweep();
    },
  });
  const hooks = new HookIngress({ hooks: stores.hooks(), intake, clock, ...(options.hookRatePerSecond ? { ratePerSecond: options.hookRatePerSecond } : {}) });
  const changed = (universe: string) => {
    intake.forget(universe);
    hooks.forget();
  };
  return {
    schedules: new ScheduleService({ schedules: (u) => stores.schedules(u), tasks, clock }),
    triggers: new TriggerService((u) => stores.triggers(u), changed, templates),
    intake,
    events: (u) => stores.events(u),
    hooks,
    workflows,
    scheduler,
  };
}
