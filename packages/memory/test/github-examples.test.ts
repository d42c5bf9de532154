import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { GITHUB_TRANSFORMED_TYPES, MAX_MEMORY_BODY_CHARS, scoreSignificance, sha256Hex, signDelivery, transformDelivery, verifyDelivery } from '../src/index.js';

// Real payloads nobody on the team wrote: every example of @octokit/webhooks-examples.
const definitions = createRequire(import.meta.url)('@octokit/webhooks-examples') as { name: string; examples: unknown[] }[];
const SECRET = 'examples-secret';

describe('GitHub examples (@octokit/webhooks-examples)', () => {
  const all = definitions.flatMap((d) => d.examples.map((example, i) => ({ name: d.name, example, i })));

  it('covers every transformed type', () => {
    expect(all.length).toBeGreaterThan(100);
    for (const type of GITHUB_TRANSFORMED_TYPES) expect(all.some((e) => e.name === type), type).toBe(true);
  });

  it('every example is signed, verified and transformed without throwing, into a bounded scored event', async () => {
    const now = Date.parse('2026-06-01T00:00:00Z');
    const specific = new Map<string, number>();
    for (const { name, example, i } of all) {
      const body = new TextEncoder().encode(JSON.stringify(example));
      const headers = await signDelivery('github', SECRET, body, { eventType: name, deliveryId: `${name}-${i}` });
      const verified = await verifyDelivery('github', SECRET, headers, body, now);
      expect(verified, `${name}[${i}]`).toMatchObject({ ok: true, eventType: name });
      const event = transformDelivery('github', JSON.parse(new TextDecoder().decode(body)), { eventType: name, deliveryId: `${name}-${i}`, receivedAt: now, bodyHash: sha256Hex(body) });
      expect(event.provider).toBe('github');
      expect(event.type).toBe(name);
      expect(event.sourceKey.length).toBeGreaterThan(0);
      expect(Number.isSafeInteger(event.occurredAt)).toBe(true);
      expect((event.body ?? '').length).toBeLessThanOrEqual(MAX_MEMORY_BODY_CHARS);
      const { significance, factors } = scoreSignificance(event);
      expect(significance).toBeGreaterThanOrEqual(0);
      expect(significance).toBeLessThanOrEqual(100);
      expect(factors.length).toBeGreaterThan(0);
      if (event.attributes.generic !== true) specific.set(name, (specific.get(name) ?? 0) + 1);
    }
    // Every example of a transformed type got the specific transform, not the generic fallback.
    for (const type of GITHUB_TRANSFORMED_TYPES) {
      expect(specific.get(type), type).toBe(all.filter((e) => e.name === type).length);
    }
  });

  it('a merged PR is `merged`, names its entities, and scores above an opened one', () => {
    const pr = all.filter((e) => e.name === 'pull_request').map((e) => e.example as { action: string; pull_request: Record<string, unknown> });
    // The package has closed-unmerged examples only; merging one is what GitHub sends on a merge.
    const closed = pr.find((p) => p.action === 'closed')!;
    const merged = { ...closed, pull_request: { ...closed.pull_request, merged: true, merged_at: '2026-06-01T00:00:00Z', merge_commit_sha: 'a'.repeat(40) } };
    const opened = pr.find((p) => p.action === 'opened')!;
    const ctx = { eventType: 'pull_request', receivedAt: 0, bodyHash: 'h' };
    const m = transformDelivery('github', merged, ctx);
    expect(m.action).toBe('merged');
    expect(m.occurredAt).toBe(Date.parse('2026-06-01T00:00:00Z'));
    expect(transformDelivery('github', closed, ctx).action).toBe('closed');
    expect(m.primary?.type).toBe('pr');
    expect(m.related.map((r) => r.relation)).toEqual(expect.arrayContaining(['repository', 'author', 'head_branch', 'base_branch', 'merge_commit']));
    expect(scoreSignificance(m).significance).toBeGreaterThan(scoreSignificance(transformDelivery('github', opened, ctx)).significance);
  });

  it('an unknown type becomes a generic event keyed by its delivery', () => {
    const event = transformDelivery('github', { action: 'poked', repository: { full_name: 'o/r' } }, { eventType: 'future_event', deliveryId: 'd9', receivedAt: 5, bodyHash: 'h' });
    expect(event).toMatchObject({ type: 'future_event', action: 'poked', sourceKey: 'github:delivery:d9', primary: { type: 'repository', key: 'github:o/r' }, attributes: { generic: true } });
    expect(transformDelivery('github', 'not an object', { receivedAt: 5, bodyHash: 'h' })).toMatchObject({ type: 'unknown', sourceKey: 'github:sha256:h' });
  });
});

describe('significance rules', () => {
  it('takes the most specific type rule and adds content, outcome, reference and size factors', () => {
    const event = {
      provider: 'github' as const,
      type: 'pull_request',
      action: 'merged',
      occurredAt: 0,
      sourceKey: 'k',
      related: [],
      title: 'Revert "security fix" (fixes #12, ENG-42)',
      attributes: { additions: 400, deletions: 200 },
    };
    const { significance, factors } = scoreSignificance(event);
    expect(factors).toEqual([
      { rule: 'type:pr-merged', points: 45 },
      { rule: 'signal:security', points: 25 },
      { rule: 'signal:revert', points: 20 },
      { rule: 'references', points: 6 },
      { rule: 'size:large', points: 10 },
    ]);
    expect(significance).toBe(100);
    // The event's own object is not a reference to something else; a neighbour's number is.
    const own = { ...event, title: 'PR #7 opened (see #17, o/r#7, ENG-4)', attributes: {}, primary: { type: 'pr', key: 'github:o/r#7' } };
    expect(scoreSignificance(own).factors).toContainEqual({ rule: 'references', points: 6 });
    expect(scoreSignificance(event, [{ rule: 'flat', kind: 'type', match: '*', points: 7 }])).toEqual({ significance: 7, factors: [{ rule: 'flat', points: 7 }] });
  });
});
