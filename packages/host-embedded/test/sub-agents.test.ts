// The fleet tools' refusals and variants on the embedded host, with the real tool runtime and the
// fake provider: denied agents, depth and fan-out limits, unknown children, spawning from an agent
// definition, a failed child, and what a fork carries.
import { putText } from '@lightspeed/cas';
import { findRun, type RunState } from '@lightspeed/engine';
import type { AgentCatalog } from '@lightspeed/ports';
import { startHarness, UNIVERSE, type Harness, type HarnessOptions } from '@lightspeed/testkit/host-harness';
import { sessionDirectoryOf } from '@lightspeed/driver';
import { childSessionIdOf, fleetTools } from '@lightspeed/tools';
import { afterEach, describe, expect, it } from 'vitest';
import { EmbeddedHost, memoryStores } from '../src/index.js';

const MODEL = { providerId: 'fake', apiKind: 'openai:responses' as const, model: 'fake-model' };
const marker = (script: Record<string, unknown>) => `[[fake-script ${JSON.stringify(script)}]]`;
const childOf = (parent: string, callId: string, runId = 'run_1', batchId = 'batch_1') => childSessionIdOf({ sessionId: parent, runId, batchId, callId });

describe('sub-agent tools on the embedded host', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });
  const start = async (options: HarnessOptions = {}) =>
    (h = await startHarness(async ({ llm, tools, retry }) => {
      const stores = memoryStores();
      let host = await EmbeddedHost.start({ stores, llm, tools, retry });
      return {
        get host() {
          return host;
        },
        async restart() {
          await host.close();
          host = await EmbeddedHost.start({ stores, llm, tools, retry });
        },
        close: () => host.close(),
      };
    }, options));

  const results = async (h: Harness, run: RunState, batch: number) => Promise.all(run.batches[batch]!.calls.map(async (c) => JSON.parse(await h.text(c.resultRef)) as Record<string, any>));

  it('refuses a denied agent with the reason, a spawn beyond maxChildren with a limit, and an unknown child as not_found', async () => {
    const h = await start();
    await h.open('p', { features: { fleet: { profiles: { deny: ['intern'] }, maxChildren: 1 } } });
    h.fake.enqueue(
      {
        toolCalls: [
          { id: 'c1', name: 'spawn_agent', arguments: { agent: 'intern', task: 'fetch coffee' } },
          { id: 'c2', name: 'spawn_agent', arguments: { task: `one ${marker({ text: 'one done' })}` } },
          { id: 'c3', name: 'spawn_agent', arguments: { task: 'two' } },
        ],
      },
      { toolCalls: [{ id: 'c4', name: 'await_agent', arguments: { agent_id: 'p.000000000000' } }, { id: 'c5', name: 'cancel_agent', arguments: { agent_id: 'someone-else' } }] },
      { text: 'done' },
    );
    const run = await h.waitRun('p', await h.startRun('p', 'delegate'), 20_000);
    expect(run.status).toBe('completed');
    const [denied, spawned, limited] = await results(h, run, 0);
    expect(denied).toEqual({ error: { code: 'refused', message: 'agent intern is denied by features.fleet.profiles.deny' } });
    expect(spawned).toMatchObject({ agent_id: childOf('p', 'c2'), status: 'running' });
    expect(limited).toEqual({ error: { code: 'limit', message: 'this session may spawn at most 1 sub-agents (features.fleet.maxChildren)' } });
    for (const result of await results(h, run, 1)) expect(result.error.code).toBe('not_found');
    expect(run.batches[1]!.calls.map((c) => c.isError)).toEqual([true, true]);
  });

  it('a fork carries the conversation by reference, and nests no deeper than maxDepth', async () => {
    const h = await start();
    await h.open('p', { features: { fleet: { maxDepth: 1 } } });
    const child = childOf('p', 'c1', 'run_2');
    h.fake.enqueue({ text: 'the secret is 7' });
    await h.waitRun('p', await h.startRun('p', 'remember the secret'));
    h.fake.enqueue(
      { toolCalls: [{ id: 'c1', name: 'spawn_agent', arguments: { task: 'spawn a helper yourself' } }] },
      // The child (at depth 1) tries to spawn a grandchild: refused as a limit; it answers with that.
      { toolCalls: [{ id: 'g1', name: 'spawn_agent', arguments: { task: 'grandchild' } }] },
      { text: 'could not nest' },
    );
    await h.waitRun('p', await h.startRun('p', 'delegate it'));
    const childRun = await h.waitRun(child, 'run_1', 20_000);
    expect(childRun.status).toBe('completed');
    const [nested] = await results(h, childRun, 0);
    expect(nested).toEqual({ error: { code: 'limit', message: 'sub-agents may nest 1 deep (features.fleet.maxDepth); this one would be at depth 2' } });
    const [parent, forked] = [(await h.host.state(h.ref('p')))!, (await h.host.state(h.ref(child)))!];
    const messages = (s: typeof parent) => s.context.entries.filter((e) => e.kind.type === 'message').map((e) => e.contentRef);
    // The parent's first exchange, then the child's task: the same refs, no copied bodies.
    expect(messages(forked).slice(0, 3)).toEqual(messages(parent).slice(0, 3));
    expect(forked.config?.parent).toMatchObject({ sessionId: 'p', runId: 'run_2', depth: 1 });
  });

  it('spawns from an agent definition (config and instructions), and a failed child fails the await, typed', async () => {
    const instructionsRef = async () => putText(h!.host.blobs(UNIVERSE), 'You review diffs.');
    const agents: AgentCatalog = {
      async resolve(profileId) {
        if (profileId !== 'reviewer') return undefined;
        return { config: { model: MODEL, limits: { maxTurns: 1 } }, displayName: 'Reviewer', context: [{ key: 'prompt_instructions/profile', kind: { type: 'instructions' }, contentRef: await instructionsRef() }] };
      },
    };
    const h = await start({ agents });
    await h.open('p', { features: { fleet: { profiles: { allow: ['reviewer'] } } } });
    const [ok, failing] = [childOf('p', 'c1'), childOf('p', 'c2')];
    h.fake.enqueue(
      {
        toolCalls: [
          { id: 'c1', name: 'spawn_agent', arguments: { agent: 'reviewer', task: `review it ${marker({ text: 'LGTM' })}` } },
          { id: 'c2', name: 'spawn_agent', arguments: { agent: 'reviewer', task: `review that ${marker({ fault: { kind: 'auth' } })}` } },
          { id: 'c3', name: 'spawn_agent', arguments: { agent: 'stranger', task: 'x' } },
        ],
      },
      { toolCalls: [{ id: 'c4', name: 'await_agent', arguments: { agent_id: ok } }, { id: 'c5', name: 'await_agent', arguments: { agent_id: failing } }] },
      { toolCalls: [{ id: 'c6', name: 'list_agents', arguments: {} }] },
      { text: 'one review in' },
    );
    const run = await h.waitRun('p', await h.startRun('p', 'get two reviews'), 20_000);
    expect(run.status).toBe('completed');
    const spawned = await results(h, run, 0);
    expect(spawned[0], JSON.stringify(spawned)).toMatchObject({ agent_id: ok, status: 'running' });
    const third = spawned[2]!;
    expect(third.error).toEqual({ code: 'refused', message: 'agent stranger is not in features.fleet.profiles.allow (reviewer)' });
    const [answer, failure] = run.batches[1]!.calls;
    expect(await h.text(answer!.resultRef)).toBe('LGTM');
    expect(failure!.status).toBe('failed');
    expect(await h.text(failure!.resultRef)).toMatch(new RegExp(`^The sub-agent ${failing.replace('.', '\\.')} failed \\(provider_error\\): `));
    const listed = (await results(h, run, 2))[0]!;
    expect(listed.agents.map((a: { status: string }) => a.status).sort()).toEqual(['completed', 'failed']);
    const reviewer = (await h.host.state(h.ref(ok)))!;
    expect(reviewer.displayName).toBe('Reviewer');
    expect(reviewer.config?.limits).toEqual({ maxTurns: 1 });
    expect(reviewer.context.entries[0]).toMatchObject({ kind: { type: 'instructions' } });
    expect(findRun(reviewer, 'run_1')!.status).toBe('completed');
  });

  it('cancels the child a spawn started after its own run had ended (a cancel or force close while the call ran)', async () => {
    const h = await start();
    await h.open('p', { features: { fleet: {} } });
    h.fake.enqueue({ text: 'over already' });
    const ended = await h.waitRun('p', await h.startRun('p', 'finish at once'));
    expect(ended.status).toBe('completed');
    // The spawn call of that run, still running when the run ended: its result will be discarded.
    const spawn = fleetTools(true).find((tool) => tool.name === 'spawn_agent')!;
    const ids = { sessionId: 'p', callId: 'late', runId: ended.runId, turnId: 'turn_1', batchId: 'batch_late' };
    const env = { ...ids, blobs: h.host.blobs(UNIVERSE), sessions: sessionDirectoryOf(h.host, UNIVERSE), files: () => { throw new Error('no files here'); } };
    const result = await spawn.tool.run({ task: `take your time ${marker({ text: 'too late', firstTokenDelayMs: 5_000 })}` } as never, env);
    const child = childSessionIdOf(ids);
    expect(result.isError).toBe(true);
    expect(result.effects).toBeUndefined();
    expect((result.json as { error: { message: string } }).error.message).toBe(`run ${ended.runId} of this session ended while the sub-agent ${child} was started; its run run_1 was cancelled`);
    expect((await h.waitRun(child, 'run_1', 20_000)).status).toBe('cancelled');
  });
});

