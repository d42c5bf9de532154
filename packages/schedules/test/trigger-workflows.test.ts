import { describe, expect, it } from 'vitest';
import type { Storage } from '@lightspeed/store-sql';
import { checkTriggerDefinition, EventIntake, loadWorkflowTemplates, TriggerService, WorkflowService } from '../src/index.js';
import { freshUniverse, ManualClock, useSqlBackend } from './sql-backend.js';

function parts(storage: Storage, clock: ManualClock) {
  const workflows = new WorkflowService({ workflows: (u) => storage.workflows(u), ledger: storage.workflowLedger(), tasks: (u) => storage.tasks(u), templates: () => loadWorkflowTemplates(), clock });
  const intake = new EventIntake({ events: (u) => storage.events(u), triggers: (u) => storage.triggers(u), tasks: (u) => storage.tasks(u), workflows, clock });
  return { workflows, intake, triggers: new TriggerService((u) => storage.triggers(u), (u) => intake.forget(u)) };
}

describe.each(['pglite', 'postgres'] as const)('triggers that start and advance workflows on %s', (kind) => {
  const backend = useSqlBackend(kind);

  it('an event starts the instance named by its rendered key; a repeat key advances it once per event, repairs included', async () => {
    const clock = new ManualClock(Date.now());
    const storage = await backend.open(clock);
    const { workflows, intake, triggers } = parts(storage, clock);
    const u = freshUniverse();
    await triggers.put(u, {
      triggerId: 'issues',
      match: { source: 'tracker', type: 'issue.opened' },
      workflow: { templateId: 'goal-loop', instanceKey: 'issue-{{event.payload.issue.id}}', input: { goal: 'fix {{event.payload.issue.title}}', issue: '{{event.payload.issue.id}}' }, agents: { verify: 'strict-verifier' } },
    });
    await triggers.put(u, {
      triggerId: 'comments',
      match: { source: 'tracker', type: 'issue.commented' },
      task: { kind: 'comment.read', agent: 'triage' },
      workflow: { templateId: 'goal-loop', instanceKey: 'issue-{{event.payload.issue.id}}', advance: { to: 'plan', note: 'new comment' } },
    });

    const opened = await intake.ingest(u, { source: 'tracker', type: 'issue.opened', externalId: 'o-7', payload: { issue: { id: 7, title: 'the crash' } } });
    expect(opened.event.firings).toEqual([{ triggerId: 'issues', workflow: { instanceKey: 'issue-7', outcome: 'created' } }]);
    const created = await workflows.read(u, 'issue-7');
    expect(created).toMatchObject({ status: 'running', state: 'plan', input: { goal: 'fix the crash', issue: 7 }, history: [{ by: 'trigger', eventId: opened.event.id }] });
    expect(created.template.states.verify!.task.agent).toBe('strict-verifier');
    // The same issue opened again under another delivery id: the instance exists, this trigger does not advance.
    const reopened = await intake.ingest(u, { source: 'tracker', type: 'issue.opened', externalId: 'o-8', payload: { issue: { id: 7, title: 'again' } } });
    expect(reopened.event.firings).toEqual([{ triggerId: 'issues', workflow: { instanceKey: 'issue-7', outcome: 'existing' } }]);
    expect((await workflows.read(u, 'issue-7')).version).toBe(created.version);

    // A comment creates its task and retries the plan step (the queued plan task is cancelled).
    const comment = await intake.ingest(u, { source: 'tracker', type: 'issue.commented', externalId: 'c-1', payload: { issue: { id: 7 } } });
    expect(comment.event.firings).toEqual([{ triggerId: 'comments', taskId: expect.any(String), workflow: { instanceKey: 'issue-7', outcome: 'advanced' } }]);
    const advanced = await workflows.read(u, 'issue-7');
    expect(advanced.history.map((h) => `${h.from ?? '-'}>${h.to}:${h.by}`)).toEqual(['->plan:trigger', 'plan>plan:trigger']);
    expect(advanced.history[1]).toMatchObject({ eventId: comment.event.id, note: 'new comment', outcome: 'cancelled' });
    expect((await storage.tasks(u).get(created.currentTaskId!))?.state).toBe('cancelled');

    // A dispatch run again for the same events (a repair after a crash before the firings were recorded) moves nothing twice.
    const repeated = await intake.dispatch(u, comment.event);
    expect(repeated.firings).toEqual([{ triggerId: 'comments', taskId: comment.event.firings[0]!.taskId, deduped: true, workflow: { instanceKey: 'issue-7', outcome: 'advanced' } }]);
    expect((await intake.dispatch(u, opened.event)).firings).toEqual(opened.event.firings);
    const after = await workflows.read(u, 'issue-7');
    expect(after.version).toBe(advanced.version);
    expect(after.steps).toHaveLength(2);
  });

  it('a firing that cannot start or advance its workflow records the error and the other triggers still run', async () => {
    const clock = new ManualClock(Date.now());
    const storage = await backend.open(clock);
    const { workflows, intake, triggers } = parts(storage, clock);
    const u = freshUniverse();
    await triggers.put(u, { triggerId: 'a-missing', match: { source: 'ci' }, workflow: { templateId: 'no-such-template', instanceKey: 'build-{{event.payload.n}}' } });
    await triggers.put(u, { triggerId: 'b-keyless', match: { source: 'ci' }, workflow: { templateId: 'goal-loop', instanceKey: '{{event.payload.absent}}' } });
    await triggers.put(u, { triggerId: 'c-ok', match: { source: 'ci' }, task: { kind: 'build.look', agent: 'ci' }, workflow: { templateId: 'goal-loop', instanceKey: 'build-{{event.payload.n}}', advance: {} } });
    const { event } = await intake.ingest(u, { source: 'ci', type: 'build.failed', externalId: '1', payload: { n: 1 } });
    expect(event.firings).toMatchObject([
      { triggerId: 'a-missing', error: expect.stringContaining('no workflow template no-such-template') },
      { triggerId: 'b-keyless', error: expect.stringContaining('workflow.instanceKey') },
      { triggerId: 'c-ok', taskId: expect.any(String), workflow: { instanceKey: 'build-1', outcome: 'created' } },
    ]);
    await workflows.cancel(u, 'build-1', 'done by hand');
    // Advancing an ended instance is refused: the firing says why, the task is still made.
    const second = await intake.ingest(u, { source: 'ci', type: 'build.failed', externalId: '2', payload: { n: 1 } });
    expect(second.event.firings[2]).toMatchObject({ triggerId: 'c-ok', taskId: expect.any(String), error: expect.stringContaining('workflow build-1 is cancelled') });
    expect(second.event.firings[2]!.workflow).toBeUndefined();
  });
});

describe('trigger definitions with a workflow part', () => {
  const base = { triggerId: 't', match: { source: 'ci' } };
  it('are refused at put when they name a template or state that does not exist', async () => {
    const service = new TriggerService(() => {
      throw new Error('a refused trigger reaches no store');
    }, undefined, () => loadWorkflowTemplates());
    const put = (workflow: Record<string, unknown>) => service.put('u', { ...base, workflow: { instanceKey: 'k', ...workflow } as never });
    await expect(put({ templateId: 'no-such-template' })).rejects.toMatchObject({ code: 'invalid', details: { field: 'workflow.templateId' }, message: expect.stringContaining('known: goal-loop') });
    await expect(put({ templateId: 'goal-loop', agents: { review: 'x' } })).rejects.toMatchObject({ details: { field: 'workflow.agents.review' }, message: expect.stringContaining('states: plan') });
    await expect(put({ templateId: 'goal-loop', advance: { to: 'deploy' } })).rejects.toMatchObject({ details: { field: 'workflow.advance.to' } });
  });
  it('need a task or a workflow, and refuse unknown or bad fields naming them', () => {
    expect(() => checkTriggerDefinition(base)).toThrow(expect.objectContaining({ code: 'invalid', details: expect.objectContaining({ field: 'task' }) }));
    const refused = (workflow: unknown) => {
      try {
        checkTriggerDefinition({ ...base, workflow: workflow as never });
      } catch (error) {
        return (error as { code: string; details: { field: string } });
      }
      throw new Error('accepted');
    };
    expect(refused({ templateId: 'goal-loop', instanceKey: 'k', extra: 1 })).toMatchObject({ code: 'invalid', details: { field: 'workflow.extra' } });
    expect(refused({ templateId: 'goal-loop' })).toMatchObject({ details: { field: 'workflow.instanceKey' } });
    expect(refused({ templateId: 'bad id', instanceKey: 'k' })).toMatchObject({ details: { field: 'workflow.templateId' } });
    expect(refused({ templateId: 'goal-loop', instanceKey: 'k', advance: { outcome: 'maybe' } })).toMatchObject({ details: { field: 'workflow.advance.outcome' } });
    expect(refused({ templateId: 'goal-loop', instanceKey: 'k', advance: { when: 'always' } })).toMatchObject({ details: { field: 'workflow.advance.when' } });
    expect(refused({ templateId: 'goal-loop', instanceKey: 'k', agents: { verify: '' } })).toMatchObject({ details: { field: 'workflow.agents.verify' } });
    expect(checkTriggerDefinition({ ...base, workflow: { templateId: 'goal-loop', instanceKey: 'k-{{event.id}}', advance: { outcome: 'succeeded' } } })).toEqual({
      triggerId: 't',
      enabled: true,
      match: { source: 'ci' },
      workflow: { templateId: 'goal-loop', instanceKey: 'k-{{event.id}}', advance: { outcome: 'succeeded' } },
    });
  });
});
