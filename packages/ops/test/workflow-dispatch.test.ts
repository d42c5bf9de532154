// Goal-loop workflows end to end: a sensor event matches a trigger that starts a goal-loop
// instance; every step is a task the real dispatcher runs on the embedded host with fake-provider
// agents writing files into the shared workspace; the verifier's run is judged by the artifacts
// it requires (the dispatcher blocks a run that claims success without them), not by its
// narration; task events move the instance (as `lightspeed serve` wires them).
import { createOperations, type Operations } from '@lightspeed/schedules';
import type { WorkflowInstance } from '@lightspeed/ports';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqlBackends } from './support/sql-backends.js';
import { startDispatchStack, UNIVERSE, writerAgent, type DispatchStack } from './support/dispatch-stack.js';

/** A fake-model input that makes the run add one file (the echo mode calls `apply_patch`). */
const addFile = (path: string, body: string) => `use apply_patch {"input":"*** Begin Patch\\n*** Add File: ${path}\\n+${body}\\n*** End Patch"}`;

// Files live under /workspace/<task source>/ (`workflow:<instanceKey>`), one per iteration.
const PLANNER = addFile('/workspace/{{task.source}}/plan-{{payload.iteration}}.md', 'plan {{payload.iteration}} for {{payload.goal}}');
const EXECUTOR = addFile('/workspace/{{task.source}}/result-{{payload.plan.iteration}}.md', 'result of iteration {{payload.plan.iteration}}');
const VERIFIER = 'checked {{payload.goal}} after iteration {{payload.execution.iteration}}';

const backends = sqlBackends();

describe.each(backends)('a trigger starting a goal loop run by the dispatcher on %s (embedded host)', (_name, backend) => {
  let stack: DispatchStack;
  let ops: Operations;
  let unsubscribe: () => void;
  beforeAll(async () => {
    stack = await startDispatchStack({ backend: await backend(), migrate: true });
    await stack.workspace('ws');
    await stack.putAgent('planner', writerAgent({ template: PLANNER }));
    await stack.putAgent('executor', writerAgent({ template: EXECUTOR }));
    // The goal is met only by a revised result: the first iteration's result never satisfies it.
    await stack.putAgent('verifier', writerAgent({ template: VERIFIER, requiredArtifacts: ['/workspace/workflow:issue-7/result-2.md'] }));
    await stack.putAgent('strict-verifier', writerAgent({ template: VERIFIER, requiredArtifacts: ['/workspace/workflow:issue-8/never.md'] }));
    ops = createOperations(stack.storage);
    unsubscribe = stack.storage.taskEvents.subscribe(UNIVERSE, (event) => void ops.workflows.onTaskEvent(UNIVERSE, event).catch((error: unknown) => console.error('workflow move:', error)));
    await stack.storage.taskEvents.ready();
    const workflow = { templateId: 'goal-loop', instanceKey: 'issue-{{event.payload.issue.id}}', input: { goal: 'fix {{event.payload.issue.title}}' } };
    await ops.triggers.put(UNIVERSE, { triggerId: 'issues', match: { source: 'tracker', type: 'issue.opened', filter: { label: 'bug' } }, workflow });
    await ops.triggers.put(UNIVERSE, { triggerId: 'wishes', match: { source: 'tracker', type: 'issue.opened', filter: { label: 'wish' } }, workflow: { ...workflow, agents: { verify: 'strict-verifier' } } });
  }, 60_000);
  afterAll(async () => {
    unsubscribe?.();
    await stack?.close();
  });

  async function finished(instanceKey: string, timeoutMs = 60_000): Promise<WorkflowInstance> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const instance = await ops.workflows.read(UNIVERSE, instanceKey);
      if (instance.status !== 'running') return instance;
      if (Date.now() > deadline) throw new Error(`workflow ${instanceKey} is still ${instance.state} #${instance.iteration}`);
      // The leader's sweep is the safety net for a missed task event (a PostgreSQL NOTIFY in flight).
      await ops.workflows.sweep();
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  it('a verify step that fails once then passes ends succeeded after 2 iterations, every step a task with its artifacts', async () => {
    const dispatcher = stack.dispatcher();
    try {
      const { event } = await ops.intake.ingest(UNIVERSE, { source: 'tracker', type: 'issue.opened', externalId: 'o-7', payload: { issue: { id: 7, title: 'the crash' }, label: 'bug' } });
      expect(event.firings).toEqual([{ triggerId: 'issues', workflow: { instanceKey: 'issue-7', outcome: 'created' } }]);
      const done = await finished('issue-7');
      expect(done).toMatchObject({ status: 'succeeded', iteration: 2 });
      expect(done.steps.map((s) => `${s.state}#${s.iteration}:${s.outcome}`)).toEqual(['plan#1:succeeded', 'execute#1:succeeded', 'verify#1:blocked', 'plan#2:succeeded', 'execute#2:succeeded', 'verify#2:succeeded']);
      expect(done.history.map((h) => `${h.from ?? '-'}>${h.to}:${h.by}`)).toEqual(['->plan:trigger', 'plan>execute:task', 'execute>verify:task', 'verify>plan:task', 'plan>execute:task', 'execute>verify:task', 'verify>@succeeded:task']);
      // The first verification was refused for the missing artifact, and the second plan was told why.
      expect(done.steps[2]!.error).toContain('/workspace/workflow:issue-7/result-2.md');
      const plan2 = (await stack.storage.tasks(UNIVERSE).get(done.steps[3]!.taskId))!;
      expect(plan2.payload).toMatchObject({ goal: 'fix the crash', iteration: 2, lastVerification: { state: 'verify', outcome: 'blocked' } });
      // The agents' files are in the shared workspace; the passing verification lists its artifact as evidence.
      expect(await stack.readFile('ws', '/workflow:issue-7/plan-1.md')).toBe('plan 1 for fix the crash\n');
      expect(await stack.readFile('ws', '/workflow:issue-7/plan-2.md')).toBe('plan 2 for fix the crash\n');
      expect(await stack.readFile('ws', '/workflow:issue-7/result-1.md')).toBe('result of iteration 1\n');
      expect(await stack.readFile('ws', '/workflow:issue-7/result-2.md')).toBe('result of iteration 2\n');
      expect(done.steps[5]!.evidence).toContain('/workspace/workflow:issue-7/result-2.md');
      // Each step is a task of the queue with one attempt, linked from the history.
      const { tasks } = await stack.storage.tasks(UNIVERSE).list({ source: 'workflow:issue-7' });
      expect(tasks).toHaveLength(6);
      expect(tasks.every((t) => t.attempts === 1)).toBe(true);
      for (const transition of done.history.slice(1)) expect(transition).toMatchObject({ attempt: 1, taskId: expect.any(String) });
    } finally {
      await dispatcher.stop();
    }
  }, 120_000);

  it('the iteration cap ends a never-passing loop as failed with the reason', async () => {
    const dispatcher = stack.dispatcher();
    try {
      await ops.intake.ingest(UNIVERSE, { source: 'tracker', type: 'issue.opened', externalId: 'o-8', payload: { issue: { id: 8, title: 'the impossible' }, label: 'wish' } });
      const failed = await finished('issue-8');
      expect(failed).toMatchObject({ status: 'failed', iteration: 3, reason: 'iteration cap reached: 3 iteration(s), the last verify step ended blocked' });
      expect(failed.steps.map((s) => `${s.state}#${s.iteration}:${s.outcome}`)).toEqual(['plan#1', 'execute#1', 'verify#1', 'plan#2', 'execute#2', 'verify#2', 'plan#3', 'execute#3', 'verify#3'].map((s) => `${s}:${s.startsWith('verify') ? 'blocked' : 'succeeded'}`));
      expect(await stack.readFile('ws', '/workflow:issue-8/result-3.md')).toBe('result of iteration 3\n');
      expect(failed.history[failed.history.length - 1]).toMatchObject({ from: 'verify', to: '@failed', outcome: 'blocked' });
      // Nothing is left to run.
      expect((await stack.storage.tasks(UNIVERSE).list({ source: 'workflow:issue-8' })).tasks.every((t) => t.state === 'succeeded' || t.state === 'blocked')).toBe(true);
    } finally {
      await dispatcher.stop();
    }
  }, 120_000);
});
