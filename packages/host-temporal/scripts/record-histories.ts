// Re-records the workflow histories replayed by test/replay.test.ts: runs sessions through the
// real Temporal dev server (tool calls, a durable timer, steering, cancellation, compaction,
// continue-as-new, close) and writes the history of every execution as JSON. Run after an intended change to the workflow:
//   node --conditions=lightspeed-src --import tsx packages/host-temporal/scripts/record-histories.ts
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { temporalCliBinary } from '@lightspeed/testkit';
import { startHarness, type Harness } from '@lightspeed/testkit/host-harness';
import { sessionWorkflowId } from '../src/index.js';
import { controlTools } from '../test/support/control-tools.js';
import { startTemporalTestHost, type TemporalTestHost } from '../test/support/temporal-env.js';

const outDir = fileURLToPath(new URL('../test/fixtures/histories/', import.meta.url));

async function record(name: string, drive: (h: Harness) => Promise<void>, workflow?: { maxHistoryEvents?: number }): Promise<void> {
  let underTest: TemporalTestHost | undefined;
  const tools = controlTools();
  const h = await startHarness(async (deps) => (underTest = await startTemporalTestHost({ ...deps, backend: 'pglite', ...(workflow ? { workflow } : {}) })), {
    tools: (hh) => tools({ universe: 'u-test', sessionId: 's1', blobs: hh.host.blobs('u-test'), workspaces: hh.host.workspaces('u-test'), sessionFacts: async () => undefined }),
  });
  try {
    await drive(h);
    await h.submit('s1', { type: 'session.close' });
    const { client, server } = underTest!;
    const workflowId = sessionWorkflowId('u-test', 's1');
    await client.workflow.getHandle(workflowId).result();
    // Every execution (a continued-as-new session has several), oldest first.
    const runs: string[] = [];
    for await (const execution of client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) runs.push(execution.runId);
    runs.reverse();
    for (const [i, runId] of runs.entries()) {
      // The CLI prints the history in Temporal's canonical proto JSON, which the replay test reads.
      const { stdout } = await promisify(execFile)(temporalCliBinary(), ['workflow', 'show', '--address', server.address, '--namespace', server.namespace, '--workflow-id', workflowId, '--run-id', runId, '--output', 'json'], { maxBuffer: 64 << 20 });
      const events = (JSON.parse(stdout) as { events: unknown[] }).events;
      const file = runs.length === 1 ? `${name}.json` : `${name}.run${i + 1}.json`;
      await writeFile(`${outDir}${file}`, JSON.stringify({ workflowId, history: { events } }, null, 1) + '\n');
      console.log(`recorded ${file}: ${events.length} events`);
    }
  } finally {
    await h.close();
  }
}

async function waitFor(h: Harness, predicate: (state: NonNullable<Awaited<ReturnType<Harness['host']['state']>>>) => boolean): Promise<void> {
  await h.waitFor('s1', predicate);
}

await record('session-tools-timer-steer-cancel', async (h) => {
  await h.open('s1');
  // Tool calls: two exclusive steps, then an answer.
  h.fake.enqueue({ toolCalls: [{ name: 'step' }, { name: 'step' }] }, { text: 'steps done' });
  await h.waitRun('s1', await h.startRun('s1', 'take two steps'));
  // A durable timer: a deferred call completes when its deadline passes.
  h.fake.enqueue({ toolCalls: [{ name: 'sleep', arguments: { seconds: 0.3 } }] }, { text: 'woke up' });
  await h.waitRun('s1', await h.startRun('s1', 'sleep a bit'));
  // Steering during a generation extends the run by a turn.
  h.fake.enqueue({ text: 'first answer', firstTokenDelayMs: 500 }, { text: 'answer after steering' });
  const steered = await h.startRun('s1', 'start');
  await waitFor(h, (s) => s.runs[steered]?.turns.length === 1);
  const { putText } = await import('@lightspeed/cas');
  await h.submit('s1', { type: 'run.steer', runId: steered, input: [{ type: 'text', ref: await putText(h.host.blobs('u-test'), 'also mention cats') }] });
  await h.waitRun('s1', steered);
  // Cancel during a tool batch and during a stream.
  h.fake.enqueue({ toolCalls: [{ name: 'hang' }, { name: 'hang' }] });
  const hung = await h.startRun('s1', 'hang twice');
  await waitFor(h, (s) => (s.runs[hung]?.batches[0]?.calls.length ?? 0) === 2);
  await new Promise((resolve) => setTimeout(resolve, 300));
  await h.submit('s1', { type: 'run.cancel', runId: hung });
  await h.waitRun('s1', hung);
  h.fake.enqueue({ text: 'a slow answer '.repeat(20), chunkLatencyMs: 50, chunkChars: 4 });
  const slow = await h.startRun('s1', 'talk slowly');
  await new Promise((resolve) => setTimeout(resolve, 400));
  await h.submit('s1', { type: 'run.cancel', runId: slow });
  await h.waitRun('s1', slow);
});

await record(
  'session-compaction-continue-as-new',
  async (h) => {
    await h.open('s1');
    for (let turn = 1; turn <= 4; turn++) {
      h.fake.enqueue({ text: `answer ${turn}` });
      await h.waitRun('s1', await h.startRun('s1', `question ${turn}`));
    }
    // The context is full: compaction mid-run (native on openai:responses), then the turn finishes.
    h.fake.enqueue({ finish: 'context_length', text: 'partial' }, { text: 'final answer' });
    await h.waitRun('s1', await h.startRun('s1', 'a question that overflows'));
    for (let turn = 5; turn <= 7; turn++) {
      h.fake.enqueue({ text: `answer ${turn}` });
      await h.waitRun('s1', await h.startRun('s1', `question ${turn}`));
    }
  },
  { maxHistoryEvents: 40 },
);

process.exit(0);
