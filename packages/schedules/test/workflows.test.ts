import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TaskQueue } from '@lightspeed/ports';
import type { Storage } from '@lightspeed/store-sql';
import { checkWorkflowTemplate, loadWorkflowTemplates, WorkflowService, WORKFLOWS_DIR } from '../src/index.js';
import { freshUniverse, ManualClock, useSqlBackend } from './sql-backend.js';

function service(storage: Storage, clock: ManualClock) {
  return new WorkflowService({ workflows: (u) => storage.workflows(u), ledger: storage.workflowLedger(), tasks: (u) => storage.tasks(u), templates: () => loadWorkflowTemplates(), clock });
}

/**
 * Plays the dispatcher for one step: claims the one claimable task (it must be the given agent's)
 * and settles it as that agent's run would — evidence on success, a reason when blocked.
 */
async function runStep(queue: TaskQueue, agent: string, result: { ok: true; evidence: string[] } | { ok: false; reason: string }) {
  const claimed = await queue.claim({ dispatcher: 'test-dispatcher', limit: 5 });
  expect(claimed.map((c) => c.task.agent)).toEqual([agent]);
  const { lease, task } = claimed[0]!;
  if (result.ok) await queue.succeed(lease, { evidence: result.evidence });
  else await queue.block(lease, { reason: result.reason, errorClass: 'verification_failed' });
  return task;
}

describe.each(['pglite', 'postgres'] as const)('goal-loop workflows on %s', (kind) => {
  const backend = useSqlBackend(kind);

  it('a verify step that fails once then passes ends succeeded after two iterations, each step a visible task', async () => {
    const clock = new ManualClock(Date.now());
    const storage = await backend.open(clock);
    const workflows = service(storage, clock);
    const u = freshUniverse();
    // The hook into task completion: each final task event moves its instance at once.
    const moves: Promise<void>[] = [];
    const unsubscribe = storage.taskEvents.subscribe(u, (event) => moves.push(workflows.onTaskEvent(u, event)));
    await storage.taskEvents.ready();
    const settled = async () => {
      // Events may arrive asynchronously (NOTIFY on PostgreSQL): wait until the queue has its next step or the instance ended.
      for (let i = 0; i < 200; i++) {
        await Promise.all(moves);
        const instance = await workflows.read(u, 'fix-42');
        const next = instance.currentTaskId ? await storage.tasks(u).get(instance.currentTaskId) : undefined;
        if (instance.status !== 'running' || next?.state === 'queued') return instance;
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      throw new Error('the workflow did not move');
    };

    const { instance: created, created: isNew } = await workflows.create(u, { templateId: 'goal-loop', instanceKey: 'fix-42', input: { goal: 'make the flaky test pass' } });
    expect(isNew).toBe(true);
    expect(created).toMatchObject({ status: 'running', state: 'plan', iteration: 1, steps: [{ state: 'plan', iteration: 1 }] });
    // Creating the same key again is the same instance, and no second task.
    const again = await workflows.create(u, { templateId: 'goal-loop', instanceKey: 'fix-42', input: { goal: 'something else' } });
    expect(again).toMatchObject({ created: false, instance: { currentTaskId: created.currentTaskId } });

    const queue = storage.tasks(u);
    const plan1 = await runStep(queue, 'planner', { ok: true, evidence: ['workflows/fix-42/plan.md'] });
    expect(plan1.payload).toMatchObject({ goal: 'make the flaky test pass', iteration: 1, lastVerification: null, evidence: ['workflows/fix-42/plan.md'] });
    await settled();
    const exec1 = await runStep(queue, 'executor', { ok: true, evidence: ['workflows/fix-42/result.md'] });
    expect(exec1.payload).toMatchObject({ plan: { state: 'plan', outcome: 'succeeded', evidence: ['workflows/fix-42/plan.md'] } });
    await settled();
    await runStep(queue, 'verifier', { ok: false, reason: 'the test still fails 1 run in 20' });
    const looped = await settled();
    expect(looped).toMatchObject({ status: 'running', state: 'plan', iteration: 2 });
    const plan2 = await runStep(queue, 'planner', { ok: true, evidence: ['workflows/fix-42/plan.md'] });
    // The second plan sees why verification failed.
    expect(plan2.payload).toMatchObject({ iteration: 2, lastVerification: { outcome: 'blocked', error: 'the test still fails 1 run in 20' } });
    await settled();
    await runStep(queue, 'executor', { ok: true, evidence: ['workflows/fix-42/result.md'] });
    await settled();
    await runStep(queue, 'verifier', { ok: true, evidence: ['workflows/fix-42/verification.md'] });
    const done = await settled();
    unsubscribe();

    expect(done).toMatchObject({ status: 'succeeded', iteration: 2 });
    expect(done.finishedAt).toBeDefined();
    expect(done.steps.map((s) => `${s.state}#${s.iteration}:${s.outcome}`)).toEqual(['plan#1:succeeded', 'execute#1:succeeded', 'verify#1:blocked', 'plan#2:succeeded', 'execute#2:succeeded', 'verify#2:succeeded']);
    expect(done.history.map((h) => `${h.from ?? '-'}>${h.to}`)).toEqual(['->plan', 'plan>execute', 'execute>verify', 'verify>plan', 'plan>execute', 'execute>verify', 'verify>@succeeded']);
    // Every step is a task of the queue, linked from the history with its attempt.
    const { tasks } = await queue.list({ source: 'workflow:fix-42' });
    expect(tasks).toHaveLength(6);
    expect(new Set(tasks.map((t) => t.id))).toEqual(new Set(done.steps.map((s) => s.taskId)));
    for (const transition of done.history.slice(1)) {
      expect(transition).toMatchObject({ by: 'task', attempt: 1 });
      expect(done.steps.some((s) => s.taskId === transition.taskId)).toBe(true);
    }
    expect((await workflows.list(u, { status: 'succeeded' })).instances.map((i) => i.instanceKey)).toEqual(['fix-42']);
  });

  it('the iteration cap ends a never-passing loop as failed with the reason; the sweep moves instances without events', async () => {
    const clock = new ManualClock(Date.now());
    const storage = await backend.open(clock);
    const workflows = service(storage, clock);
    const u = freshUniverse();
    await workflows.create(u, { templateId: 'goal-loop', instanceKey: 'never', input: { goal: 'impossible' }, agents: { verify: 'strict-verifier' } });
    const queue = storage.tasks(u);
    for (let iteration = 1; iteration <= 3; iteration++) {
      await runStep(queue, 'planner', { ok: true, evidence: [] });
      await workflows.sweep();
      await runStep(queue, 'executor', { ok: true, evidence: [] });
      await workflows.sweep();
      await runStep(queue, 'strict-verifier', { ok: false, reason: `still wrong (${iteration})` });
      await workflows.sweep();
    }
    const failed = await workflows.read(u, 'never');
    expect(failed).toMatchObject({ status: 'failed', iteration: 3, reason: 'iteration cap reached: 3 iteration(s), the last verify step ended blocked' });
    expect(failed.steps).toHaveLength(9);
    expect(failed.history[failed.history.length - 1]).toMatchObject({ from: 'verify', to: '@failed', outcome: 'blocked' });
    expect(await queue.claim({ dispatcher: 'test-dispatcher' })).toEqual([]);
    expect(await storage.workflowLedger().stalled(10)).toEqual([]);
  });

  it('a move repeated after a crash between the enqueue and the instance write reuses its task, even one that ended since', async () => {
    const clock = new ManualClock(Date.now());
    const storage = await backend.open(clock);
    let crashNextWrite = false;
    // The instance store of a process that dies after enqueuing the next step, before writing the move.
    const crashing = (u: string) => {
      const store = storage.workflows(u);
      return new Proxy(store, {
        get(target, name, receiver) {
          if (name !== 'update') return Reflect.get(target, name, receiver) as unknown;
          return async (...args: Parameters<typeof store.update>) => {
            if (!crashNextWrite) return target.update(...args);
            crashNextWrite = false;
            throw new Error('the process died');
          };
        },
      });
    };
    const dying = new WorkflowService({ workflows: crashing, ledger: storage.workflowLedger(), tasks: (u) => storage.tasks(u), templates: () => loadWorkflowTemplates(), clock });
    const workflows = service(storage, clock);
    const u = freshUniverse();
    await workflows.create(u, { templateId: 'goal-loop', instanceKey: 'crashy', input: { goal: 'survive' } });
    const queue = storage.tasks(u);
    await runStep(queue, 'planner', { ok: true, evidence: [] });
    crashNextWrite = true;
    await expect(dying.settle(u, 'crashy')).rejects.toThrow('the process died');
    // The execute task it enqueued runs to its end before anyone repairs the move.
    const executed = await runStep(queue, 'executor', { ok: true, evidence: [] });
    await workflows.sweep();
    const moved = await workflows.read(u, 'crashy');
    expect(moved.steps.map((step) => step.state)).toEqual(['plan', 'execute']);
    expect(moved.steps[1]!.taskId).toBe(executed.id);
    const executes = (await queue.list({ source: 'workflow:crashy', tag: 'workflow-state:execute' })).tasks;
    expect(executes.map((task) => task.id)).toEqual([executed.id]);
    // …and the next sweep moves on from that finished step to verify.
    await workflows.sweep();
    expect(await workflows.read(u, 'crashy')).toMatchObject({ state: 'verify', steps: [{ state: 'plan' }, { state: 'execute' }, { state: 'verify' }] });
  });

  it('operator overrides: advance by outcome or to a state (cancelling the running step), cancel', async () => {
    const clock = new ManualClock(Date.now());
    const storage = await backend.open(clock);
    const workflows = service(storage, clock);
    const u = freshUniverse();
    const queue = storage.tasks(u);
    const { instance } = await workflows.create(u, { templateId: 'goal-loop', instanceKey: 'ops:1', input: { goal: 'g' } });
    // Skip planning: the planner's queued task is cancelled and execution starts.
    const moved = await workflows.advance(u, 'ops:1', { to: 'execute', note: 'plan is known' });
    expect(moved).toMatchObject({ state: 'execute', iteration: 1 });
    expect((await queue.get(instance.currentTaskId!))?.state).toBe('cancelled');
    expect(moved.history[moved.history.length - 1]).toMatchObject({ from: 'plan', to: 'execute', outcome: 'cancelled', by: 'operator', note: 'plan is known' });
    // Retry the current step: a new task for the same state.
    const retried = await workflows.advance(u, 'ops:1', { to: 'execute' });
    expect(retried.currentTaskId).not.toBe(moved.currentTaskId);
    expect(retried).toMatchObject({ state: 'execute', iteration: 1 });
    // An outcome takes the template's transition (execute succeeded → verify).
    expect(await workflows.advance(u, 'ops:1', { outcome: 'succeeded' })).toMatchObject({ state: 'verify' });
    const cancelled = await workflows.cancel(u, 'ops:1', 'no longer needed');
    expect(cancelled).toMatchObject({ status: 'cancelled', reason: 'no longer needed' });
    expect((await queue.get(cancelled.currentTaskId!))?.state).toBe('cancelled');
    await expect(workflows.advance(u, 'ops:1', { to: 'plan' })).rejects.toMatchObject({ code: 'conflict' });
    await expect(workflows.read(u, 'nope')).rejects.toMatchObject({ code: 'not_found' });
    await expect(workflows.create(u, { templateId: 'no-such', instanceKey: 'x' })).rejects.toMatchObject({ code: 'not_found' });
  });
});

describe('workflow templates', () => {
  it('a project file beside the agents replaces or adds templates; a transition to a missing state is refused', async () => {
    const project = await mkdtemp(join(tmpdir(), 'ls-wf-'));
    await mkdir(join(project, WORKFLOWS_DIR), { recursive: true });
    await writeFile(join(project, WORKFLOWS_DIR, 'review.yaml'), 'templateId: review\ninitial: review\nmaxIterations: 1\nstates:\n  review:\n    task: { kind: pr.review, agent: reviewer }\n    on: { succeeded: "@succeeded" }\n');
    const templates = await loadWorkflowTemplates(project);
    expect(templates.map((t) => t.templateId)).toEqual(['goal-loop', 'review']);
    expect(templates[0]!.states.verify!.on).toEqual({ succeeded: '@succeeded', failed: 'plan', blocked: 'plan', cancelled: '@failed' });
    expect(() => checkWorkflowTemplate({ templateId: 't', initial: 'a', maxIterations: 2, states: { a: { task: { kind: 'k', agent: 'x' }, on: { succeeded: 'b' } } } })).toThrow(/states.a.on.succeeded: no state b/);
    expect(() => checkWorkflowTemplate({ templateId: 't', initial: 'a', maxIterations: 2, states: { a: { task: { kind: 'k' }, on: {} } } })).toThrow(/agent/);
  });
});
