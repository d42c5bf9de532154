import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MemoryBlobStore } from '@lightspeed/cas';
import { type ApiKind, type Command, type Usage, type UsageTotals } from '@lightspeed/engine';
import { startFakeProvider, type FakeProvider, type FakeScript } from '@lightspeed/fake-provider';
import { ProviderRegistry, ProviderRouter } from '@lightspeed/llm';
import { systemClock, type LlmPort } from '@lightspeed/ports';
import type { DriverPorts, RetryPolicy } from '../src/index.js';
import { MiniHost } from './support/drive.js';

// Backoff alone would wait at most a few ms: any longer wait between attempts is the provider's Retry-After.
const FAST_RETRY: RetryPolicy = { maxAttempts: 4, initialDelayMs: 1, maxDelayMs: 4, multiplier: 2, maxTotalMs: 20_000 };

let fake: FakeProvider;
let router: ProviderRouter;
const encoder = new TextEncoder();

beforeAll(async () => {
  fake = await startFakeProvider();
  router = new ProviderRouter(new ProviderRegistry({ providers: [], fake: { baseUrl: fake.url } }, {}));
});
afterAll(() => fake.stop());
beforeEach(() => fake.reset());

/** The real router, with the start time of each provider call noted (what the provider saw, in order). */
function timedLlm(calls: number[]): LlmPort {
  return {
    generate: (request, context) => (calls.push(performance.now()), router.generate(request, context)),
    compact: (request, context) => (calls.push(performance.now()), router.compact(request, context)),
    validateParams: (model, native) => router.validateParams(model, native),
    listModels: () => router.listModels(),
  };
}

function ports(calls: number[], retry = FAST_RETRY): DriverPorts {
  return {
    blobs: new MemoryBlobStore(),
    llm: timedLlm(calls),
    tools: { invoke: () => Promise.reject(new Error('no tools in these tests')) } as unknown as DriverPorts['tools'],
    clock: systemClock,
    retry,
  };
}

async function ask(host: MiniHost, text: string): Promise<void> {
  const ref = (await host.ports.blobs.put(encoder.encode(text), { mediaType: 'text/plain; charset=utf-8' })).ref;
  host.submit({ type: 'run.start', source: { type: 'input', items: [{ type: 'text', ref, preview: text }] } });
  await host.settle();
}

function open(host: MiniHost, apiKind: ApiKind): void {
  host.submit({ type: 'session.open', sessionId: host.state.sessionId, config: { model: { providerId: 'fake', apiKind, model: 'fake-echo' } } });
}

function sum(usages: Usage[]): Omit<UsageTotals, 'costUsd'> {
  const total = { input: 0, cachedInput: 0, cacheWrite: 0, output: 0, reasoning: 0, calls: usages.length };
  for (const u of usages) {
    total.input += u.input;
    total.cachedInput += u.cachedInput;
    total.cacheWrite += u.cacheWrite;
    total.output += u.output;
    total.reasoning += u.reasoning;
  }
  return total;
}

const usage = (input: number, output: number, extra: Partial<Usage> = {}): Usage => ({ input, cachedInput: 0, cacheWrite: 0, output, reasoning: 0, ...extra });
const script = (u: Usage, rest: FakeScript = {}): FakeScript => ({ usage: u, ...rest });

describe('the driver retries under Retry-After', () => {
  it('waits at least the Retry-After the provider sent before the next attempt', async () => {
    const calls: number[] = [];
    const host = new MiniHost(ports(calls));
    open(host, 'anthropic:messages');
    fake.enqueue({ fault: { kind: 'rate_limit', retryAfter: '1' } }, script(usage(10, 3), { text: 'after the wait' }));
    await ask(host, 'hello');
    expect(host.state.recentRuns[0]?.status).toBe('completed');
    expect(calls).toHaveLength(2);
    const waited = calls[1]! - calls[0]!;
    // Retry-After: 1 (seconds); the policy's own backoff is at most 4 ms.
    expect(waited).toBeGreaterThanOrEqual(1000);
    expect(waited).toBeLessThan(3000);
  });

  it("honours retry-after-ms (OpenAI's header) on an overloaded answer", async () => {
    const calls: number[] = [];
    const host = new MiniHost(ports(calls));
    open(host, 'openai:responses');
    fake.enqueue({ fault: { kind: 'overloaded', retryAfterMs: 300 } }, script(usage(10, 3), { text: 'ok' }));
    await ask(host, 'hello');
    expect(host.state.recentRuns[0]?.status).toBe('completed');
    expect(calls[1]! - calls[0]!).toBeGreaterThanOrEqual(300);
  });
});

describe('usage of failed and retried attempts is counted', () => {
  it('counts a 429, a failed stream that reported usage, a compaction and the answer in run and session totals (anthropic:messages)', async () => {
    const calls: number[] = [];
    const host = new MiniHost(ports(calls));
    open(host, 'anthropic:messages');
    const first = usage(40, 8, { cacheWrite: 12 });
    fake.enqueue(script(first, { text: 'first answer' }));
    await ask(host, 'remember this');

    // Run 2: a 429 with Retry-After (no tokens billed), a stream that reported its input and then
    // failed (billed: message_start carried usage), a context overflow, the summarising call, the answer.
    const partial = usage(50, 0, { cachedInput: 20, cacheWrite: 5 });
    const overflow = usage(60, 2, { cachedInput: 20 });
    const summary = usage(30, 9);
    const answer = usage(25, 7, { cachedInput: 5 });
    fake.enqueue(
      { fault: { kind: 'rate_limit', retryAfter: '1' } },
      script(partial, { text: 'cut short', fault: { kind: 'overloaded' }, faultAfterEvents: 1 }),
      script(overflow, { text: 'too long', finish: 'context_length' }),
      script(summary, { text: 'summary of the conversation' }),
      script(answer, { text: 'second answer' }),
    );
    await ask(host, 'and now this');
    expect(host.state.recentRuns.map((r) => [r.runId, r.status])).toEqual([
      ['run_1', 'completed'],
      ['run_2', 'completed'],
    ]);
    const run = host.state.recentRuns[1]!;
    expect(calls.length).toBe(6);
    expect(calls[2]! - calls[1]!).toBeGreaterThanOrEqual(1000);

    // Anthropic's message_start reports output_tokens: 1 before any text: the failed attempt was billed that too.
    const partialBilled = { ...partial, output: 1 };
    const runExpected = sum([partialBilled, overflow, summary, answer]);
    expect(run.usage).toMatchObject(runExpected);
    expect(host.state.usage).toMatchObject(sum([first, partialBilled, overflow, summary, answer]));
    // The admitted result carried the failed attempt; a run without retries carries nothing extra.
    const finished = host.commands.filter((c): c is Extract<Command, { type: 'generation.finished' }> => c.type === 'generation.finished');
    expect(finished[0]?.retriedUsage).toBeUndefined();
    expect(finished[1]?.retriedUsage).toEqual([partialBilled]);
  });

  it('counts every failed attempt of a run that fails after its retries (openai:responses, response.failed with usage)', async () => {
    const calls: number[] = [];
    const host = new MiniHost(ports(calls, { ...FAST_RETRY, maxAttempts: 3 }));
    open(host, 'openai:responses');
    const attempts = [usage(11, 1), usage(12, 2), usage(13, 3)];
    fake.enqueue(...attempts.map((u) => script(u, { text: 'partial text', fault: { kind: 'server' }, faultAfterEvents: 2 })));
    await ask(host, 'hello');
    const run = host.state.recentRuns[0]!;
    expect(run.status).toBe('failed');
    expect(calls).toHaveLength(3);
    expect(run.usage).toMatchObject(sum(attempts));
    expect(host.state.usage).toMatchObject(sum(attempts));
    const failed = host.commands.find((c) => c.type === 'generation.failed');
    expect(failed).toMatchObject({ usage: attempts[2], retriedUsage: [attempts[0], attempts[1]] });
  });

  it('counts the failed attempts of a compaction that was retried', async () => {
    const calls: number[] = [];
    const host = new MiniHost(ports(calls));
    open(host, 'anthropic:messages');
    fake.enqueue(script(usage(10, 2), { text: 'first' }));
    await ask(host, 'one');
    const overflow = usage(70, 1);
    const failedSummary = usage(33, 0);
    const summary = usage(30, 6);
    const answer = usage(20, 4);
    fake.enqueue(
      script(overflow, { text: 'x', finish: 'context_length' }),
      script(failedSummary, { text: 'half a summ', fault: { kind: 'overloaded' }, faultAfterEvents: 3 }),
      script(summary, { text: 'the summary' }),
      script(answer, { text: 'second' }),
    );
    await ask(host, 'two');
    const run = host.state.recentRuns[1]!;
    expect(run.status).toBe('completed');
    const finished = host.commands.find((c) => c.type === 'compaction.finished');
    expect(finished).toMatchObject({ retriedUsage: [{ ...failedSummary, output: 1 }] });
    expect(run.usage).toMatchObject(sum([overflow, { ...failedSummary, output: 1 }, summary, answer]));
  });
});
