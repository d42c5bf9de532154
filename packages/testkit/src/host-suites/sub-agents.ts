import { findRun, isTerminalRun, type RunState, type SessionState } from '@lightspeed/engine';
import { childSessionIdOf } from '@lightspeed/tools';
import { expect } from 'vitest';
import { UNIVERSE, type Harness } from '../host-harness/harness.js';

/** A child's task that makes the fake provider answer it with `script` (the marker selects the reply). */
const task = (label: string, script: Record<string, unknown>) => `${label} [[fake-script ${JSON.stringify(script)}]]`;

const spawn = (id: string, label: string, script: Record<string, unknown>) => ({ id, name: 'spawn_agent', arguments: { task: task(label, script), name: label } });

/** The child ids the parent's first batch (run_1, batch_1) spawns with calls `call_a` and `call_b`. */
function childIds(parentId: string): [string, string] {
  return [childSessionIdOf({ sessionId: parentId, runId: 'run_1', batchId: 'batch_1', callId: 'call_a' }), childSessionIdOf({ sessionId: parentId, runId: 'run_1', batchId: 'batch_1', callId: 'call_b' })];
}

async function childRun(h: Harness, childId: string): Promise<RunState> {
  return h.waitRun(childId, 'run_1', 30_000);
}

/**
 * A parent spawns two sub-agents in one batch (they run in parallel), awaits both in the next, and
 * completes with both answers; the children are ordinary sessions linked to the parent, and their
 * usage rolls up into the parent run's totals.
 */
export async function parentAwaitsTwoChildrenScenario(h: Harness): Promise<void> {
  await h.open('lead', { features: { fleet: {} } });
  const [a, b] = childIds('lead');
  h.fake.enqueue(
    { toolCalls: [spawn('call_a', 'alpha', { text: 'alpha says 1', firstTokenDelayMs: 400 }), spawn('call_b', 'beta', { text: 'beta says 2', firstTokenDelayMs: 400 })] },
    { toolCalls: [{ id: 'call_c', name: 'await_agent', arguments: { agent_id: a } }, { id: 'call_d', name: 'await_agent', arguments: { agent_id: b } }] },
    { text: 'alpha and beta answered' },
  );
  const runId = await h.startRun('lead', 'ask two helpers');
  const run = await h.waitRun('lead', runId, 60_000);
  expect(run.status, JSON.stringify(run.failure)).toBe('completed');
  expect(await h.text(run.outputRef)).toBe('alpha and beta answered');
  const [spawns, awaits] = run.batches;
  expect(spawns!.calls.map((c) => c.status)).toEqual(['succeeded', 'succeeded']);
  expect(awaits!.calls.map((c) => c.status)).toEqual(['succeeded', 'succeeded']);
  expect(await Promise.all(awaits!.calls.map((c) => h.text(c.resultRef)))).toEqual(['alpha says 1', 'beta says 2']);

  const [runA, runB] = [await childRun(h, a), await childRun(h, b)];
  expect([runA.status, runB.status]).toEqual(['completed', 'completed']);
  // In parallel: each child started before the other ended.
  expect(runA.startedAt!).toBeLessThan(runB.endedAt!);
  expect(runB.startedAt!).toBeLessThan(runA.endedAt!);
  const child = (await h.host.state(h.ref(a)))!;
  expect(child.config?.parent).toEqual({ sessionId: 'lead', runId, callId: 'call_a', depth: 1 });
  expect(child.displayName).toBe('alpha');
  const listed = (await h.host.listSessions(UNIVERSE, { limit: 100 })).sessions.map((s) => s.sessionId);
  expect(listed).toEqual(expect.arrayContaining(['lead', a, b]));
  // Usage rolls up: three parent generations plus one per child.
  expect(run.usage.calls).toBe(3 + runA.usage.calls + runB.usage.calls);
  const lead = (await h.host.state(h.ref('lead')))!;
  expect(lead.children?.[a]).toMatchObject({ status: 'completed', runId: 'run_1' });
  expect(lead.outbox).toBeUndefined();
  await h.waitFor(a, (s: SessionState) => s.outbox === undefined);
}

/**
 * Cancelling a parent while it awaits its sub-agents cancels their runs too (the parent's run end
 * owes each running child a cancel), and their reports still reach the parent.
 */
export async function cancelParentCancelsChildrenScenario(h: Harness): Promise<void> {
  await h.open('boss', { features: { fleet: {} } });
  const [a, b] = childIds('boss');
  const slow = { text: 'too late '.repeat(40), firstTokenDelayMs: 200, chunkLatencyMs: 500, chunkChars: 4 };
  h.fake.enqueue(
    { toolCalls: [spawn('call_a', 'slow-a', slow), spawn('call_b', 'slow-b', slow)] },
    { toolCalls: [{ id: 'call_c', name: 'await_agent', arguments: { agent_id: a } }, { id: 'call_d', name: 'await_agent', arguments: { agent_id: b } }] },
  );
  const runId = await h.startRun('boss', 'start two slow helpers');
  const awaiting = (s: SessionState) => Object.values(s.promises).filter((p) => p.status === 'pending' && p.wait?.kind === 'child').length === 2;
  await h.waitFor('boss', awaiting, 30_000);
  await h.waitFor(a, (s) => s.runs['run_1']?.status === 'running', 30_000);
  await h.waitFor(b, (s) => s.runs['run_1']?.status === 'running', 30_000);
  await h.submit('boss', { type: 'run.cancel', runId });
  const run = await h.waitRun('boss', runId, 30_000);
  expect(run.status).toBe('cancelled');
  const [runA, runB] = [await childRun(h, a), await childRun(h, b)];
  expect([runA.status, runB.status]).toEqual(['cancelled', 'cancelled']);
  const boss = await h.waitFor('boss', (s) => s.outbox === undefined && s.children?.[a]?.status === 'cancelled' && s.children?.[b]?.status === 'cancelled', 30_000);
  expect(findRun(boss, runId)!.batches[1]!.calls.map((c) => c.status)).toEqual(['cancelled', 'cancelled']);
  for (const id of [a, b]) {
    const child = await h.waitFor(id, (s) => s.outbox === undefined, 30_000);
    expect(isTerminalRun(findRun(child, 'run_1')!.status)).toBe(true);
  }
}

/**
 * Force-closing a parent while its sub-agent runs cancels the child, and the child's report of its
 * run end is refused by the closed parent: the refusal is logged with the delivery, on every host.
 */
export async function closedParentRefusesReportScenario(h: Harness): Promise<void> {
  await h.open('gone', { features: { fleet: {} } });
  const [a] = childIds('gone');
  const slow = { text: 'never heard '.repeat(40), firstTokenDelayMs: 200, chunkLatencyMs: 500, chunkChars: 4 };
  h.fake.enqueue({ toolCalls: [spawn('call_a', 'orphan', slow)] }, { toolCalls: [{ id: 'call_c', name: 'await_agent', arguments: { agent_id: a } }] });
  await h.startRun('gone', 'start a slow helper');
  // The parent knows its child (the spawn's result is committed) and awaits it.
  await h.waitFor('gone', (s) => Object.values(s.promises).some((p) => p.status === 'pending' && p.wait?.kind === 'child'), 30_000);
  await h.waitFor(a, (s) => s.runs['run_1']?.status === 'running', 30_000);
  await h.submit('gone', { type: 'session.close', force: true });
  await h.waitFor('gone', (s) => s.status === 'closed', 30_000);
  const child = await h.waitFor(a, (s) => s.outbox === undefined && isTerminalRun(findRun(s, 'run_1')?.status ?? 'running'), 30_000);
  expect(findRun(child, 'run_1')!.status).toBe('cancelled');
  const delivered = (await h.host.readEvents(h.ref(a), { after: 0, limit: 1_000 })).filter((e) => e.kind === 'outbox.delivered');
  expect(delivered.map((e) => (e.data as { rejection?: string }).rejection)).toEqual(['closed']);
}
