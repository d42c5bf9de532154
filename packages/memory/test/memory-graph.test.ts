import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { MemoryEdge, MemorySource } from '@lightspeed/ports';
import type { Storage } from '@lightspeed/store-sql';
import { MemoryIngress, SecretBox, signDelivery, textReferences, type BodyRead } from '../src/index.js';
import { freshUniverse, ManualClock, useStorage } from './backends.js';
import { pullRequest } from './recall/corpus.js';

const box = SecretBox.fromKey(new Uint8Array(32).fill(5));
const bodyOf = (bytes: Uint8Array) => async (max: number): Promise<BodyRead> => (bytes.byteLength > max ? { ok: false, reason: 'too_large' } : { ok: true, bytes });
const enc = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
const fixture = (name: string) => JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8')) as Record<string, unknown>;

const publishedFixture = (name: string) => fixture(`published/${name}`);

const SHA = '1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b';
const REVERT_SHA = '9f8e7d6c5b4a39281706f5e4d3c2b1a098765432';

describe('text references', () => {
  it('reads closing verbs, bare and qualified numbers, Linear identifiers, SHAs and URLs', () => {
    const refs = textReferences(
      'Fixes #12, closes ENG-42 and resolves https://github.com/o/other/issues/3. See o/lib#9, 1a2b3c4, https://linear.app/acme/issue/OPS-7/x and https://github.com/o/r/pull/5 ' +
        `https://github.com/o/r/commit/${SHA}. Not UTF-8, not SHA-256, not 1234567 or deadbee.`,
      'o/r',
    );
    expect(refs).toEqual([
      { ref: { type: 'issue', key: 'github:o/r#12' }, edge: 'fixes' },
      { ref: { type: 'issue', key: 'linear:ENG-42' }, edge: 'closes' },
      { ref: { type: 'issue', key: 'github:o/other#3' }, edge: 'resolves' },
      { ref: { type: 'issue', key: 'github:o/lib#9' }, edge: 'references' },
      { ref: { type: 'commit', key: 'github:o/r@1a2b3c4' }, edge: 'references' },
      { ref: { type: 'issue', key: 'linear:OPS-7' }, edge: 'references' },
      { ref: { type: 'pr', key: 'github:o/r#5' }, edge: 'references' },
      { ref: { type: 'commit', key: `github:o/r@${SHA}` }, edge: 'references' },
    ]);
    // What is reverted is a change: `#5` after "Reverts" is a PR.
    expect(textReferences('Reverts o/r#5', undefined)).toEqual([{ ref: { type: 'pr', key: 'github:o/r#5' }, edge: 'reverts' }]);
    // Without a repository a bare number or SHA means nothing.
    expect(textReferences('fixes #12 at 1a2b3c4', undefined)).toEqual([]);
  });
});

describe.each(['pglite', 'postgres'] as const)('the memory graph on %s', (kind) => {
  const clock = new ManualClock(Date.parse('2026-06-01T09:00:00Z'));
  const storage = useStorage(kind, clock);
  const ingress = () => new MemoryIngress({ directory: storage().memorySourceDirectory(), events: (u) => storage().memoryEvents(u), clock, box });

  async function connect(s: Storage, universe: string, provider: MemorySource['provider']): Promise<MemorySource> {
    return s.memorySources(universe).put(provider, { provider, eventTypes: [], secret: { kind: 'sealed', sealed: box.seal(`${provider}-secret`, { universe, sourceId: provider }) } });
  }

  async function deliver(source: MemorySource, payload: unknown, options: { eventType?: string; deliveryId?: string } = {}): Promise<string> {
    const body = enc(payload);
    const headers = await signDelivery(source.provider, `${source.provider}-secret`, body, options);
    const answer = await ingress().handle({ provider: source.provider, webhookId: source.webhookId, headers, readBody: bodyOf(body) });
    expect(answer.status, JSON.stringify(answer.body)).toBeLessThan(300);
    return answer.body.eventId as string;
  }

  function linearIssue(action: string, state: { name: string; type: string }, updatedAt: string) {
    const issue = fixture('linear-issue-create.json');
    const data = issue.data as Record<string, unknown>;
    return { ...issue, action, webhookTimestamp: clock.now(), data: { ...data, state: { id: `s-${state.type}`, ...state }, updatedAt } };
  }

  // What GitHub's revert button opens: title `Revert "<title>"`, body `Reverts owner/repo#N`.
  const revert = { number: 8, title: 'Revert "Fix login session handling"', body: 'Reverts octo/app#7', mergeSha: REVERT_SHA };

  /** Sentry's documented `error` body (fixtures/published), in the release that is the deployed commit. */
  function sentryError(at: string) {
    const doc = publishedFixture('sentry-error-created.json');
    const data = doc.data as { error: Record<string, unknown> };
    return { ...doc, data: { ...data, error: { ...data.error, release: `app@${SHA}`, datetime: at } } };
  }

  it('a scripted story: Linear issue → PR "fixes ENG-1" → merge → Vercel deploy → Sentry error → revert PR → reopen voids the fix', async () => {
    const u = freshUniverse();
    const s = storage();
    const [linear, github, vercel, sentry] = await Promise.all([connect(s, u, 'linear'), connect(s, u, 'github'), connect(s, u, 'vercel'), connect(s, u, 'sentry')]);
    const step = (minutes: number) => (clock.t = Date.parse('2026-06-01T09:00:00Z') + minutes * 60_000);

    const created = await deliver(linear, linearIssue('create', { name: 'Todo', type: 'unstarted' }, '2026-06-01T09:00:00.000Z'), { deliveryId: 'l1' });
    step(5);
    const opened = await deliver(github, pullRequest('opened', '2026-06-01T09:05:00Z'), { eventType: 'pull_request', deliveryId: 'g1' });
    step(10);
    const merged = await deliver(github, pullRequest('closed', '2026-06-01T09:10:00Z'), { eventType: 'pull_request', deliveryId: 'g2' });
    // A redelivery of the merge adds no evidence: the graph is written with the event or not at all.
    await deliver(github, pullRequest('closed', '2026-06-01T09:10:00Z'), { eventType: 'pull_request', deliveryId: 'g2' });
    step(12);
    const completed = await deliver(linear, linearIssue('update', { name: 'Done', type: 'completed' }, '2026-06-01T09:12:00.000Z'), { deliveryId: 'l2' });
    step(15);
    const deployed = await deliver(vercel, { ...fixture('vercel-deployment-succeeded.json'), createdAt: Date.parse('2026-06-01T09:15:00Z') });
    step(21);
    const errored = await deliver(sentry, fixture('sentry-issue-created.json'), { eventType: 'issue' });
    const failed = await deliver(sentry, sentryError('2026-06-01T09:21:30.000000Z'), { eventType: 'error' });
    step(24);
    const revertOpened = await deliver(github, pullRequest('opened', '2026-06-01T09:24:00Z', revert), { eventType: 'pull_request', deliveryId: 'g3' });
    step(26);
    const revertMerged = await deliver(github, pullRequest('closed', '2026-06-01T09:26:00Z', revert), { eventType: 'pull_request', deliveryId: 'g4' });
    step(30);
    const reopened = await deliver(linear, linearIssue('update', { name: 'In Progress', type: 'started' }, '2026-06-01T09:30:00.000Z'), { deliveryId: 'l3' });
    const at = (minutes: number) => Date.parse('2026-06-01T09:00:00Z') + minutes * 60_000;

    const graph = s.memoryGraph(u);
    const issue = await graph.entity({ type: 'issue', key: 'linear:ENG-1' });
    expect(issue).toMatchObject({ type: 'issue', key: 'linear:ENG-1', aliases: ['linear:issue:1f3e5c1a-0000-4000-8000-000000000003'], firstSeen: at(0), lastSeen: at(30) });
    // The alias reads the same entity.
    expect(await graph.entity({ type: 'issue', key: 'linear:issue:1f3e5c1a-0000-4000-8000-000000000003' })).toEqual(issue);
    for (const [type, key] of [
      ['pr', 'github:octo/app#7'],
      ['commit', `github:octo/app@${SHA}`],
      ['deployment', 'vercel:deployment:dpl_2r8YbXkN3c'],
      ['error', 'sentry:issue:1170820242'],
      ['repository', 'github:octo/app'],
      ['person', 'email:bo@example.com'],
      ['service', 'sentry:project:app'],
    ]) {
      expect(await graph.entity({ type: type!, key: key! }), `${type} ${key}`).toBeDefined();
    }

    const around = (await graph.neighbours({ type: 'issue', key: 'linear:ENG-1' }, { depth: 3 }))!;
    const edge = (type: string, from: string, to: string): MemoryEdge | undefined => around.edges.find((e) => e.type === type && e.from.key === from && e.to.key === to);
    const fixes = edge('fixes', 'github:octo/app#7', 'linear:ENG-1');
    expect(fixes).toEqual({
      type: 'fixes',
      from: { type: 'pr', key: 'github:octo/app#7' },
      to: { type: 'issue', key: 'linear:ENG-1' },
      evidence: [opened, merged],
      evidenceCount: 2,
      confidence: 0.7,
      firstSeen: at(5),
      lastSeen: at(10),
      settledAt: at(10),
      invalidAt: at(30),
      invalidatedBy: reopened,
    });
    expect(edge('merged_as', 'github:octo/app#7', `github:octo/app@${SHA}`)).toMatchObject({ evidence: [merged], confidence: 1 });
    expect(edge('deploys', 'vercel:deployment:dpl_2r8YbXkN3c', `github:octo/app@${SHA}`)).toMatchObject({ evidence: [deployed] });
    // The deployment's commit message names the issue; a deployment references it, it does not fix it.
    expect(edge('references', 'vercel:deployment:dpl_2r8YbXkN3c', 'linear:ENG-1')).toMatchObject({ evidence: [deployed], confidence: 0.7 });
    expect(edge('fixes', 'vercel:deployment:dpl_2r8YbXkN3c', 'linear:ENG-1')).toBeUndefined();
    expect(edge('assigned_to', 'linear:ENG-1', 'email:bo@example.com')).toMatchObject({ evidence: [created, completed, reopened] });
    expect(around.entities.map((e) => e.key)).toContain('vercel:deployment:dpl_2r8YbXkN3c');

    const error = (await graph.neighbours({ type: 'error', key: 'sentry:issue:1170820242' }))!;
    expect(error.edges.find((e) => e.type === 'belongs_to')).toMatchObject({ to: { type: 'service', key: 'sentry:project:app' }, evidence: [errored] });
    // The error's release is the deployed commit and it was seen after the deploy: caused_by, with both events as evidence.
    const causedBy = error.edges.filter((e) => e.type === 'caused_by');
    expect(causedBy).toEqual([expect.objectContaining({ to: { type: 'deployment', key: 'vercel:deployment:dpl_2r8YbXkN3c' }, evidence: [deployed, failed], confidence: 0.8, firstSeen: Date.parse('2026-06-01T09:21:30Z') })]);
    expect(causedBy[0]!.invalidAt).toBeUndefined();
    // The bare-SHA release named the commit the GitHub and Vercel payloads name: one entity.
    expect(error.edges.find((e) => e.type === 'seen_in' && e.to.type === 'commit')).toMatchObject({ to: { type: 'commit', key: `github:octo/app@${SHA}` }, evidence: [failed] });
    expect(await graph.entity({ type: 'commit', key: `sha:${SHA}` })).toMatchObject({ key: `github:octo/app@${SHA}` });

    // The deployment and the merged PR share the merge commit: same_commit, proven by the merge and the deploy.
    const deployment = (await graph.neighbours({ type: 'deployment', key: 'vercel:deployment:dpl_2r8YbXkN3c' }, { edgeTypes: ['same_commit'] }))!;
    expect(deployment.edges).toEqual([expect.objectContaining({ type: 'same_commit', from: { type: 'deployment', key: 'vercel:deployment:dpl_2r8YbXkN3c' }, to: { type: 'pr', key: 'github:octo/app#7' }, evidence: [merged, deployed], confidence: 1 })]);

    // The revert PR reverts #7 (a PR: only PRs and commits are reverted), read from GitHub's revert body.
    const reverted = (await graph.neighbours({ type: 'pr', key: 'github:octo/app#8' }, { edgeTypes: ['reverts'] }))!;
    expect(reverted.edges).toEqual([expect.objectContaining({ from: { type: 'pr', key: 'github:octo/app#8' }, to: { type: 'pr', key: 'github:octo/app#7' }, evidence: [revertOpened, revertMerged], confidence: 0.7 })]);
    // Its merge commit was never deployed: no same_commit for it.
    expect((await graph.neighbours({ type: 'pr', key: 'github:octo/app#8' }, { edgeTypes: ['same_commit'] }))!.edges).toEqual([]);

    // As of before the reopen, the fix held; as of before the PR, there was none.
    const before = (await graph.neighbours({ type: 'issue', key: 'linear:ENG-1' }, { asOf: at(20), edgeTypes: ['fixes'] }))!;
    expect(before.edges).toEqual([expect.objectContaining({ type: 'fixes', evidence: [opened, merged], settledAt: at(10) })]);
    expect(before.edges[0]!.invalidAt).toBeUndefined();
    expect((await graph.neighbours({ type: 'issue', key: 'linear:ENG-1' }, { asOf: at(1), edgeTypes: ['fixes'] }))!.edges).toEqual([]);
    // Type filters and depth bounds.
    const people = (await graph.neighbours({ type: 'issue', key: 'linear:ENG-1' }, { depth: 2, entityTypes: ['person'] }))!;
    expect(people.entities.length).toBeGreaterThan(0);
    expect(people.entities.every((e) => e.type === 'person')).toBe(true);
    await expect(graph.neighbours({ type: 'issue', key: 'linear:ENG-1' }, { depth: 4 })).rejects.toMatchObject({ code: 'invalid' });

    // Another universe sees none of it.
    const other = s.memoryGraph(freshUniverse());
    expect(await other.entity({ type: 'issue', key: 'linear:ENG-1' })).toBeUndefined();
    expect(await other.neighbours({ type: 'issue', key: 'linear:ENG-1' })).toBeUndefined();
    expect((await other.entities()).entities).toEqual([]);

    const page = await graph.entities({ type: 'issue', limit: 1 });
    expect(page.entities).toHaveLength(1);
    expect(page.nextCursor).toBeDefined();
  });

  it('same_commit holds whichever of deploy and merge arrives first; an error before any deployment of its release is caused by none', async () => {
    const u = freshUniverse();
    const s = storage();
    const [github, vercel, sentry] = await Promise.all([connect(s, u, 'github'), connect(s, u, 'vercel'), connect(s, u, 'sentry')]);
    const early = await deliver(sentry, sentryError('2026-06-05T08:00:00.000000Z'), { eventType: 'error' });
    const deployed = await deliver(vercel, { ...fixture('vercel-deployment-succeeded.json'), createdAt: Date.parse('2026-06-05T09:00:00Z') });
    const merged = await deliver(github, pullRequest('closed', '2026-06-05T08:30:00Z'), { eventType: 'pull_request', deliveryId: 'm1' });
    const graph = s.memoryGraph(u);
    const sameCommit = (await graph.neighbours({ type: 'pr', key: 'github:octo/app#7' }, { edgeTypes: ['same_commit'] }))!.edges;
    expect(sameCommit).toEqual([expect.objectContaining({ from: { type: 'deployment', key: 'vercel:deployment:dpl_2r8YbXkN3c' }, to: { type: 'pr', key: 'github:octo/app#7' }, evidence: [merged, deployed] })]);
    // The error was seen an hour before the commit was deployed: the deployment did not cause it.
    const error = (await graph.neighbours({ type: 'error', key: 'sentry:issue:1170820242' }))!;
    expect(error.edges.filter((e) => e.type === 'caused_by')).toEqual([]);
    // Its release commit, first named by SHA only, was folded into the commit the deploy named.
    expect(error.edges.find((e) => e.type === 'seen_in' && e.to.type === 'commit')).toMatchObject({ to: { key: `github:octo/app@${SHA}` }, evidence: [early] });
  });

  it('a fix merged again after the reopen makes the edge valid again; an open-state update before any merge voids nothing', async () => {
    const u = freshUniverse();
    const s = storage();
    const [linear, github] = await Promise.all([connect(s, u, 'linear'), connect(s, u, 'github')]);
    await deliver(linear, linearIssue('create', { name: 'Todo', type: 'unstarted' }, '2026-06-02T09:00:00.000Z'));
    await deliver(github, pullRequest('opened', '2026-06-02T09:05:00Z'), { eventType: 'pull_request', deliveryId: 'x1' });
    await deliver(linear, linearIssue('update', { name: 'In Progress', type: 'started' }, '2026-06-02T09:06:00.000Z'));
    const fixes = async () => (await s.memoryGraph(u).neighbours({ type: 'issue', key: 'linear:ENG-1' }, { edgeTypes: ['fixes'] }))!.edges[0]!;
    expect((await fixes()).invalidAt).toBeUndefined();
    await deliver(github, pullRequest('closed', '2026-06-02T09:10:00Z'), { eventType: 'pull_request', deliveryId: 'x2' });
    await deliver(linear, linearIssue('update', { name: 'In Progress', type: 'started' }, '2026-06-02T09:20:00.000Z'));
    expect((await fixes()).invalidAt).toBe(Date.parse('2026-06-02T09:20:00Z'));
    const again = pullRequest('closed', '2026-06-02T09:40:00Z');
    await deliver(github, again, { eventType: 'pull_request', deliveryId: 'x3' });
    expect(await fixes()).toMatchObject({ evidenceCount: 3 });
    expect((await fixes()).invalidAt).toBeUndefined();
  });

  it('people: one entity when a payload proves it (id and email in one object) or the source maps it, never by name', async () => {
    const u = freshUniverse();
    const s = storage();
    const [linear, github] = await Promise.all([connect(s, u, 'linear'), connect(s, u, 'github')]);
    const graph = s.memoryGraph(u);
    // Two tools' users both named "Ana", no email, no mapping: two people.
    const comment = fixture('linear-comment-create.json');
    const data = comment.data as Record<string, unknown>;
    const anonymous = { id: 'lin-ana', name: 'ana' };
    await deliver(linear, { ...comment, webhookTimestamp: clock.now(), actor: anonymous, data: { ...data, user: anonymous } });
    const pr = pullRequest('opened', '2026-06-06T09:00:00Z');
    await deliver(github, { ...pr, pull_request: { ...pr.pull_request, user: { login: 'ana' } } }, { eventType: 'pull_request', deliveryId: 'n1' });
    expect(await graph.entity({ type: 'person', key: 'linear:user:lin-ana' })).toMatchObject({ key: 'linear:user:lin-ana', aliases: [] });
    expect(await graph.entity({ type: 'person', key: 'github:ana' })).toMatchObject({ key: 'github:ana', aliases: [] });

    // A push whose commit author has both a login and an email proves the login's email.
    await deliver(
      github,
      { ref: 'refs/heads/main', before: '0'.repeat(40), after: SHA, repository: { full_name: 'octo/app' }, pusher: { name: 'ana', email: 'ana@example.com' }, sender: { login: 'ana' }, commits: [{ id: SHA, message: 'Fix', timestamp: '2026-06-06T09:01:00Z', author: { name: 'Ana', email: 'Ana@Example.com', username: 'ana' } }], head_commit: { id: SHA, message: 'Fix', timestamp: '2026-06-06T09:01:00Z' } },
      { eventType: 'push', deliveryId: 'n2' },
    );
    const ana = await graph.entity({ type: 'person', key: 'github:ana' });
    expect(ana).toMatchObject({ key: 'email:ana@example.com', aliases: ['github:ana'] });
    // The PR's authored_by edge, written under the login before the proof, moved to the person.
    const authored = (await graph.neighbours({ type: 'person', key: 'email:ana@example.com' }, { edgeTypes: ['authored_by'] }))!;
    expect(authored.edges.map((e) => e.from.key)).toEqual(['github:octo/app#7']);
    // The Linear user is still someone else: nothing proved it.
    expect(await graph.entity({ type: 'person', key: 'linear:user:lin-ana' })).toMatchObject({ key: 'linear:user:lin-ana' });

    // The source's explicit mapping links the Linear user to the same person, and its comment's edges follow.
    const mapped = await s.memorySources(u).put('linear', { provider: 'linear', eventTypes: [], secret: { kind: 'sealed', sealed: box.seal('linear-secret', { universe: u, sourceId: 'linear' }) }, people: [{ linear: 'lin-ana', github: 'ana', email: 'ana@example.com' }] });
    expect(mapped.people).toEqual([{ linear: 'lin-ana', github: 'ana', email: 'ana@example.com' }]);
    await deliver(mapped, { ...comment, webhookTimestamp: clock.now(), actor: anonymous, data: { ...data, id: 'cm-78', user: anonymous, updatedAt: '2026-06-06T09:05:00.000Z' } });
    const one = await graph.entity({ type: 'person', key: 'linear:user:lin-ana' });
    expect(one).toMatchObject({ key: 'email:ana@example.com', aliases: ['github:ana', 'linear:user:lin-ana'] });
    expect((await graph.entities({ type: 'person' })).entities.map((e) => e.key)).toEqual(['email:ana@example.com']);
    const edges = (await graph.neighbours({ type: 'person', key: 'email:ana@example.com' }, { edgeTypes: ['authored_by'] }))!.edges;
    expect(edges.map((e) => e.from.key).sort()).toEqual(['github:octo/app#7', 'linear:ENG-1']);
  });

  it('20 concurrent pushes proving the same login\'s email, beside PRs by that login, fold into one person', async () => {
    const u = freshUniverse();
    const github = await connect(storage(), u, 'github');
    await Promise.all(
      Array.from({ length: 20 }, (_, n) => {
        const sha = n.toString(16).padStart(40, 'a');
        const pr = pullRequest('opened', `2026-06-07T09:${String(n).padStart(2, '0')}:00Z`);
        return n % 2 === 0
          ? deliver(github, { ref: 'refs/heads/main', before: '0'.repeat(40), after: sha, repository: { full_name: 'octo/app' }, sender: { login: 'ana' }, commits: [{ id: sha, message: `c${n}`, timestamp: '2026-06-07T09:00:00Z', author: { name: 'Ana', email: 'ana@example.com', username: 'ana' } }] }, { eventType: 'push', deliveryId: `f${n}` })
          : deliver(github, { ...pr, number: 200 + n, pull_request: { ...pr.pull_request, number: 200 + n } }, { eventType: 'pull_request', deliveryId: `f${n}` });
      }),
    );
    const graph = storage().memoryGraph(u);
    expect((await graph.entities({ type: 'person' })).entities.map((e) => e.key)).toEqual(['email:ana@example.com']);
    const authored = (await graph.neighbours({ type: 'person', key: 'github:ana' }, { edgeTypes: ['authored_by'] }))!;
    expect(authored.edges).toHaveLength(10);
  });

  it('20 concurrent events sharing a repository, an author and an issue upsert each entity once, without deadlock', async () => {
    const u = freshUniverse();
    const github = await connect(storage(), u, 'github');
    await Promise.all(
      Array.from({ length: 20 }, (_, n) => {
        const pr = pullRequest('opened', `2026-06-03T09:${String(n).padStart(2, '0')}:00Z`);
        return deliver(github, { ...pr, number: 100 + n, pull_request: { ...pr.pull_request, number: 100 + n, body: `references #1 and fixes ENG-1` } }, { eventType: 'pull_request', deliveryId: `c${n}` });
      }),
    );
    const graph = storage().memoryGraph(u);
    expect(await graph.entity({ type: 'person', key: 'github:ana' })).toMatchObject({ eventCount: 20 });
    expect(await graph.entity({ type: 'issue', key: 'github:octo/app#1' })).toMatchObject({ eventCount: 20 });
    const issue = (await graph.neighbours({ type: 'issue', key: 'linear:ENG-1' }, { edgeTypes: ['fixes'] }))!;
    expect(issue.edges).toHaveLength(20);
    expect(issue.entities).toHaveLength(20);
  });

  it('an entity first seen under what later proves an alias is folded into the canonical one, its edges moved', async () => {
    const u = freshUniverse();
    const linear = await connect(storage(), u, 'linear');
    // A comment naming its issue by id only: the issue is stored as linear:issue:<uuid> for now.
    const comment = fixture('linear-comment-create.json');
    const data = comment.data as Record<string, unknown>;
    const commented = await deliver(linear, { ...comment, webhookTimestamp: clock.now(), data: { ...data, issue: { id: data.issueId } } });
    const byId = { type: 'issue', key: 'linear:issue:1f3e5c1a-0000-4000-8000-000000000003' };
    expect(await storage().memoryGraph(u).entity(byId)).toMatchObject({ key: byId.key, aliases: [] });
    await deliver(linear, linearIssue('create', { name: 'Todo', type: 'unstarted' }, '2026-06-04T09:00:00.000Z'));
    const graph = storage().memoryGraph(u);
    expect(await graph.entity(byId)).toMatchObject({ key: 'linear:ENG-1', aliases: [byId.key], eventCount: 2 });
    expect((await graph.entities({ type: 'issue' })).entities.map((e) => e.key)).toEqual(['github:octo/app#7', 'linear:ENG-1']);
    const around = (await graph.neighbours({ type: 'issue', key: 'linear:ENG-1' }, { edgeTypes: ['references'] }))!;
    expect(around.edges).toEqual([expect.objectContaining({ from: { type: 'issue', key: 'linear:ENG-1' }, to: { type: 'issue', key: 'github:octo/app#7' }, evidence: [commented] })]);
  });
});
