// Histories recorded from the real Temporal server (scripts/record-histories.ts) replay against
// the current workflow code: a change that makes the workflow non-deterministic fails this test.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker, type WorkflowBundle } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { beforeAll, describe, expect, it } from 'vitest';
import { historyFromJson } from './support/history-json.js';
import { workflowBundle } from './support/temporal-env.js';

const dir = fileURLToPath(new URL('./fixtures/histories/', import.meta.url));
const fixtures = readdirSync(dir).filter((name) => name.endsWith('.json'));

interface Fixture {
  workflowId: string;
  history: { events: Record<string, unknown>[] };
}

const load = (name: string): Fixture => JSON.parse(readFileSync(`${dir}${name}`, 'utf8')) as Fixture;

let bundle: WorkflowBundle;
beforeAll(async () => {
  bundle = await workflowBundle();
});

describe('recorded session histories', () => {
  it('include the behaviours worth guarding (tools, timer, steering, cancellation, continue-as-new, close)', () => {
    expect(fixtures.length).toBeGreaterThan(0);
    const types = new Set(fixtures.flatMap((name) => load(name).history.events.map((event) => event.eventType as string)));
    for (const type of ['EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED', 'EVENT_TYPE_ACTIVITY_TASK_CANCEL_REQUESTED', 'EVENT_TYPE_TIMER_FIRED', 'EVENT_TYPE_MARKER_RECORDED', 'EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW', 'EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED']) {
      expect(types).toContain(type);
    }
  });

  it.each(fixtures)('%s replays against the current workflow code', async (name) => {
    const fixture = load(name);
    await Worker.runReplayHistory({ workflowBundle: bundle }, historyFromJson(fixture.history), fixture.workflowId);
  });

  it('detects a workflow that no longer makes the recorded decisions', async () => {
    const fixture = load(fixtures[0]!);
    // Pretend the workflow once scheduled a different activity where it now schedules `generate`.
    const scheduled = fixture.history.events.find((event) => event.eventType === 'EVENT_TYPE_ACTIVITY_TASK_SCHEDULED') as { activityTaskScheduledEventAttributes: { activityType: { name: string } } };
    scheduled.activityTaskScheduledEventAttributes.activityType.name = 'compact';
    await expect(Worker.runReplayHistory({ workflowBundle: bundle }, historyFromJson(fixture.history), fixture.workflowId)).rejects.toBeInstanceOf(DeterminismViolationError);
  });
});
