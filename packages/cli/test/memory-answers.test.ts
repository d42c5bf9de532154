import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentProfile, parseAgentFile } from '@lightspeed/agents';
import type { FakeScript } from '@lightspeed/fake-provider';
import { startAgentStack, type AgentStack } from '../src/runtime/agent-stack.js';
import { stackGateway, type StackGateway } from '../src/runtime/local-gateway.js';
import { cleanEnv, tempDir } from './support/cli-harness.js';

/*
 * Issue 17's acceptance for answers: 20 questions through memory/answer on the real gateway, host,
 * tools and PGlite store, with the fake provider scripted to call the memory tools and then answer
 * citing ids — some fabricated, one from another universe, some real but never retrieved. No
 * invalid citation survives, and every dropped one is reported with its reason.
 */

const REPO = { full_name: 'octo/app' };
const deliveries = [
  { event: 'issues', body: { action: 'opened', issue: { number: 3, title: 'Login page returns 500 for every user', body: 'Since this morning the login outage blocks everyone.', updated_at: '2026-06-01T08:00:00Z', user: { login: 'bo' } }, repository: REPO, sender: { login: 'bo' } } },
  { event: 'pull_request', body: { action: 'opened', number: 7, pull_request: { number: 7, title: 'Fix the login outage', body: 'fixes #3: the session cookie was dropped', updated_at: '2026-06-01T09:00:00Z', user: { login: 'ana' }, head: { ref: 'fix-login' }, base: { ref: 'main' } }, repository: REPO, sender: { login: 'ana' } } },
  { event: 'pull_request', body: { action: 'closed', number: 7, pull_request: { number: 7, merged: true, merge_commit_sha: 'a'.repeat(40), title: 'Fix the login outage', body: 'fixes #3: the session cookie was dropped', updated_at: '2026-06-01T10:00:00Z', user: { login: 'ana' }, head: { ref: 'fix-login' }, base: { ref: 'main' } }, repository: REPO, sender: { login: 'ana' } } },
  { event: 'release', body: { action: 'published', release: { id: 9, tag_name: 'v1.2.0', name: 'Security fixes', body: 'Patches the token leak', published_at: '2026-06-02T00:00:00Z' }, repository: REPO } },
  { event: 'issues', body: { action: 'opened', issue: { number: 11, title: 'Dark mode colours are off', body: 'The sidebar is unreadable in dark mode.', updated_at: '2026-06-03T00:00:00Z', user: { login: 'cy' } }, repository: REPO, sender: { login: 'cy' } } },
];

const FABRICATED = 'mev_00000000-0000-4000-8000-000000000000';

describe('memory/answer: 20 questions, verified citations (fake provider, PGlite)', () => {
  let home: { path: string; remove(): Promise<void> };
  let stack: AgentStack;
  let app: StackGateway;
  let id = 1;
  const call = async (method: string, params: Record<string, unknown>): Promise<any> => {
    const response = await app.request('/rpc', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: id++, method, params }) });
    const body = (await response.json()) as any;
    if (body.error) throw Object.assign(new Error(`${method}: ${body.error.message}`), { kind: body.error.data?.kind });
    return body.result.result;
  };
  const ev: Record<string, string> = {};
  let foreign: string;

  beforeAll(async () => {
    home = await tempDir('ls-memory-answers-');
    const env = cleanEnv(home.path, { LIGHTSPEED_MEMORY_KEY: 'cd'.repeat(32) });
    stack = await startAgentStack({ dataDir: `${home.path}/data`, engine: 'embedded', provider: 'fake', env, requireModel: true });
    app = stackGateway(stack);
    await call('memory/sources/put', { sourceId: 'gh', provider: 'github' });
    const imported = await call('memory/deliveries/import', {
      sourceId: 'gh',
      trusted: true,
      deliveries: deliveries.map((d, i) => ({ headers: { 'X-GitHub-Event': d.event, 'X-GitHub-Delivery': `d-${i}` }, body: JSON.stringify(d.body) })),
    });
    expect(imported).toMatchObject({ accepted: 5, rejected: [] });
    for (const event of (await call('memory/events/list', {})).events) ev[`${event.type}.${event.action}:${event.primary.key}`] = event.eventId;
    // Another universe's event: a real id, never visible here.
    foreign = (await stack.sql!.memoryEvents('someone-else').record({ sourceId: 'x', provider: 'github', type: 'issues', action: 'opened', occurredAt: 1, sourceKey: 'x', related: [], title: 'Secret roadmap', attributes: {}, significance: 1, factors: [] })).event.eventId;
  }, 60_000);
  afterAll(async () => {
    await stack?.close();
    await home?.remove();
  });

  const issue3 = () => ev['issues.opened:github:octo/app#3']!;
  const prOpened = () => ev['pull_request.opened:github:octo/app#7']!;
  const prMerged = () => ev['pull_request.merged:github:octo/app#7']!;
  const release = () => Object.entries(ev).find(([k]) => k.startsWith('release.published'))![1];
  const issue11 = () => ev['issues.opened:github:octo/app#11']!;

  interface Question {
    question: string;
    calls: () => { name: string; arguments: Record<string, unknown> }[];
    answer: () => string;
    valid: () => string[];
    dropped: () => { id: string; reason: 'not_retrieved' | 'not_found' }[];
  }

  const get = (eventOrEntity: string) => ({ name: 'memory_get', arguments: { id: eventOrEntity } });
  const search = (query: string, extra: Record<string, unknown> = {}) => ({ name: 'memory_search', arguments: { query, ...extra } });
  const related = (entity: string, extra: Record<string, unknown> = {}) => ({ name: 'memory_related', arguments: { id: entity, ...extra } });

  const questions: Question[] = [
    { question: 'What was issue #3 about?', calls: () => [get('issue:github:octo/app#3')], answer: () => 'Issue #3 reported that the login page returned 500 [issue:github:octo/app#3].', valid: () => ['issue:github:octo/app#3'], dropped: () => [] },
    { question: 'When was issue #3 opened?', calls: () => [get(issue3())], answer: () => `It was opened on 1 June 2026 [${issue3()}].`, valid: () => [issue3()], dropped: () => [] },
    { question: 'Who fixed the login outage?', calls: () => [], answer: () => `Ana fixed it [${prMerged()}].`, valid: () => [], dropped: () => [{ id: prMerged(), reason: 'not_retrieved' }] },
    { question: 'Which PR fixes #3?', calls: () => [related('issue:github:octo/app#3', { edge_types: ['fixes'] })], answer: () => `PR #7 fixes it [pr:github:octo/app#7, ${prOpened()}].`, valid: () => ['pr:github:octo/app#7', prOpened()], dropped: () => [] },
    { question: 'Was PR #7 merged?', calls: () => [], answer: () => `Yes [${FABRICATED}].`, valid: () => [], dropped: () => [{ id: FABRICATED, reason: 'not_found' }] },
    { question: 'What does the roadmap say?', calls: () => [], answer: () => `The roadmap is secret [${foreign}].`, valid: () => [], dropped: () => [{ id: foreign, reason: 'not_found' }] },
    { question: 'What shipped in v1.2.0?', calls: () => [], answer: () => 'Security fixes [release:github:octo/app/releases/v1.2.0].', valid: () => [], dropped: () => [{ id: 'release:github:octo/app/releases/v1.2.0', reason: 'not_retrieved' }] },
    { question: 'Tell me about PR #7', calls: () => [get('pr:github:octo/app#7')], answer: () => `PR #7 "Fix the login outage" [pr:github:octo/app#7] by ana [person:github:ana].`, valid: () => ['pr:github:octo/app#7'], dropped: () => [{ id: 'person:github:ana', reason: 'not_retrieved' }] },
    { question: 'What is in the repository?', calls: () => [get('repository:github:octo/app')], answer: () => 'The octo/app repository [repository:github:octo/app] [repository:github:octo/other].', valid: () => ['repository:github:octo/app'], dropped: () => [{ id: 'repository:github:octo/other', reason: 'not_found' }] },
    { question: 'Anything about dark mode?', calls: () => [], answer: () => `Yes, issue #11 [${issue11()}], see also [${FABRICATED}; ${foreign}].`, valid: () => [], dropped: () => [{ id: issue11(), reason: 'not_retrieved' }, { id: FABRICATED, reason: 'not_found' }, { id: foreign, reason: 'not_found' }] },
  ];
  // The rest search first (hybrid search: lexical + entity on this server), then cite what came back.
  const searched: Question[] = [
    { question: 'What caused the login outage?', calls: () => [search('login outage')], answer: () => `The session cookie was dropped [${prOpened()}]; issue #3 reported it [${issue3()}].`, valid: () => [prOpened(), issue3()], dropped: () => [] },
    { question: 'Which issue is #11?', calls: () => [search('#11')], answer: () => `Dark mode colours [${issue11()}].`, valid: () => [issue11()], dropped: () => [] },
    { question: 'What security work shipped?', calls: () => [search('security fixes token leak')], answer: () => `v1.2.0 patched the token leak [${release()}].`, valid: () => [release()], dropped: () => [] },
    { question: 'Was the outage fix merged?', calls: () => [search('login outage'), get(prMerged())], answer: () => `Yes, merged on 1 June [${prMerged()}].`, valid: () => [prMerged()], dropped: () => [] },
    { question: 'Did anyone report dark mode in the release?', calls: () => [search('dark mode', { filters: { types: ['release'] } })], answer: () => `Nothing in the release mentions it [${issue11()}].`, valid: () => [], dropped: () => [{ id: issue11(), reason: 'not_retrieved' }] },
    { question: 'What happened on 1 June?', calls: () => [search('login', { filters: { after: '2026-06-01T00:00:00Z', before: '2026-06-02T00:00:00Z' } })], answer: () => `The outage was reported [${issue3()}] and fixed [${prMerged()}] [${FABRICATED}].`, valid: () => [issue3(), prMerged()], dropped: () => [{ id: FABRICATED, reason: 'not_found' }] },
    { question: 'Who opened #3?', calls: () => [search('#3'), get(issue3())], answer: () => `bo opened it [${issue3()}, person:github:bo].`, valid: () => [issue3(), 'person:github:bo'], dropped: () => [] },
    { question: 'Is the roadmap public?', calls: () => [search('roadmap')], answer: () => `I found nothing in memory about the roadmap [${foreign}].`, valid: () => [], dropped: () => [{ id: foreign, reason: 'not_found' }] },
    { question: 'What is the PR for the sidebar?', calls: () => [search('sidebar unreadable')], answer: () => `Only an issue [${issue11()}], no PR [pr:github:octo/app#12].`, valid: () => [issue11()], dropped: () => [{ id: 'pr:github:octo/app#12', reason: 'not_found' }] },
    { question: 'What do we know about the quantum flux capacitor?', calls: () => [search('quantum flux capacitor')], answer: () => 'I found nothing in memory about a quantum flux capacitor.', valid: () => [], dropped: () => [] },
  ];

  it('answers each question from its own run; every surviving citation was in a memory tool result of that run', async () => {
    const all = [...questions, ...searched];
    expect(all).toHaveLength(20);
    let survivingInvalid = 0;
    let droppedTotal = 0;
    for (const q of all) {
      const scripts: FakeScript[] = [];
      const calls = q.calls();
      if (calls.length > 0) scripts.push({ toolCalls: calls });
      scripts.push({ text: q.answer() });
      stack.fake!.enqueue(...scripts);
      const result = await call('memory/answer', { question: q.question, waitMs: 60_000 });
      expect(result.status, `${q.question}: ${result.error}`).toBe('completed');
      expect(result.citations.map((c: any) => c.id), q.question).toEqual(q.valid());
      expect(result.droppedCitations, q.question).toEqual(q.dropped());
      expect(result.grounded, q.question).toBe(q.valid().length > 0);
      for (const dropped of result.droppedCitations) expect(result.answer).not.toContain(dropped.id);
      for (const valid of q.valid()) expect(result.answer).toContain(valid);
      // Independently of the verifier: each surviving id is in the JSON of one of the run's tool outputs.
      const { session } = await call('session/read', { sessionId: result.sessionId });
      const outputs: string[] = session.runs.find((r: any) => r.id === result.runId).entries.filter((e: any) => e.kind.type === 'toolResult').map((e: any) => e.text ?? '');
      expect(outputs.length, q.question).toBe(calls.length);
      for (const citation of result.citations) if (!outputs.some((o: string) => o.includes(citation.id))) survivingInvalid++;
      droppedTotal += result.droppedCitations.length;
      // The same verification, read back later from the durable log alone.
      expect(await call('memory/answers/read', { sessionId: result.sessionId, runId: result.runId })).toEqual(result);
    }
    expect(survivingInvalid).toBe(0);
    // 3 fabricated event ids, 3 from another universe, 2 made-up entities, 5 real ids no tool of the run showed.
    expect(droppedTotal).toBe(13);
  }, 240_000);

  it('the answer runs the shipped agent with the memory tools; a stored `answer` profile overrides it; an unknown agent is not found', async () => {
    stack.fake!.enqueue({ text: 'I found nothing in memory about it.' });
    const shipped = await call('memory/answer', { question: 'Anything?' });
    const { session } = await call('session/read', { sessionId: shipped.sessionId });
    expect(session.config.features.memory).toEqual({ version: 1 });
    expect(session.profile ?? null).toBeNull();
    expect(shipped).toMatchObject({ status: 'completed', grounded: false, citations: [], answer: 'I found nothing in memory about it.' });

    const override = agentProfile(parseAgentFile('---\ntools:\n  memory:\n    tools: [memory_get]\n---\nAnswer in one line.\n', '/p/.lightspeed/agents/answer.md'));
    await call('profiles/put', { profile: override });
    stack.fake!.enqueue({ text: 'One line.' });
    const overridden = await call('memory/answer', { question: 'Anything?' });
    const read = (await call('session/read', { sessionId: overridden.sessionId })).session;
    expect(read.profile).toMatchObject({ profileId: 'answer' });
    expect(read.config.features.memory).toEqual({ version: 1, tools: ['memory_get'] });
    await call('profiles/delete', { profileId: 'answer' });

    await expect(call('memory/answer', { question: 'Anything?', agent: 'nobody' })).rejects.toMatchObject({ kind: 'not_found' });
    // waitMs 0 answers at once: the run is followed on the stream and read back when it ends.
    stack.fake!.enqueue({ text: 'Later.' });
    const early = await call('memory/answer', { question: 'Anything?', waitMs: 0 });
    expect(['queued', 'running', 'completed']).toContain(early.status);
    expect(await call('memory/answers/read', { sessionId: early.sessionId, runId: early.runId, waitMs: 30_000 })).toMatchObject({ status: 'completed', answer: 'Later.' });
  }, 120_000);
});
