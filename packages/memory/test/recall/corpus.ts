import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { MemoryProvider } from '@lightspeed/ports';

/*
 * The corpus of the labelled query set (README.md here): every example of
 * @octokit/webhooks-examples (real GitHub payloads, https://github.com/octokit/webhooks) plus the
 * four-provider story of Memory I (memory-graph.test.ts: Linear ENG-1 → PR #7 "fixes ENG-1" →
 * merge → Vercel deploy → Sentry error → revert PR #8 → reopen) over the committed fixtures
 * (../fixtures, whose README says where each comes from). Queries name events by source key,
 * which the payloads determine (event ids are generated).
 */

export interface CorpusDelivery {
  provider: MemoryProvider;
  payload: unknown;
  eventType?: string;
  deliveryId: string;
}

const fixture = (name: string) => JSON.parse(readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8')) as Record<string, unknown>;

export const STORY_SHA = '1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b';
const REVERT_SHA = '9f8e7d6c5b4a39281706f5e4d3c2b1a098765432';
const fix = { number: 7, title: 'Fix login session handling', body: 'The session was read before it was set.\n\nfixes ENG-1', mergeSha: STORY_SHA };

function linearIssue(action: string, state: { name: string; type: string }, updatedAt: string) {
  const issue = fixture('linear-issue-create.json');
  const data = issue.data as Record<string, unknown>;
  return { ...issue, action, webhookTimestamp: Date.parse(updatedAt), data: { ...data, state: { id: `s-${state.type}`, ...state }, updatedAt } };
}

/** A GitHub pull_request body of the story (octo/app, by ana): `closed` is the merge. */
export function pullRequest(action: 'opened' | 'closed', at: string, pr: { number: number; title: string; body: string; mergeSha: string } = fix) {
  const merged = action === 'closed';
  return {
    action,
    number: pr.number,
    repository: { full_name: 'octo/app' },
    sender: { login: 'ana' },
    pull_request: {
      number: pr.number,
      title: pr.title,
      body: pr.body,
      state: merged ? 'closed' : 'open',
      merged,
      merged_at: merged ? at : null,
      merge_commit_sha: merged ? pr.mergeSha : null,
      created_at: '2026-06-01T09:05:00Z',
      updated_at: at,
      html_url: `https://github.com/octo/app/pull/${pr.number}`,
      user: { login: 'ana' },
      head: { ref: 'fix-login', sha: 'aaaabbbbccccddddeeeeffff0000111122223333' },
      base: { ref: 'main' },
    },
  };
}

const revert = { number: 8, title: 'Revert "Fix login session handling"', body: 'Reverts octo/app#7', mergeSha: REVERT_SHA };

function sentryError(at: string) {
  const doc = fixture('published/sentry-error-created.json');
  const data = doc.data as { error: Record<string, unknown> };
  return { ...doc, data: { ...data, error: { ...data.error, release: `app@${STORY_SHA}`, datetime: at } } };
}

function story(): CorpusDelivery[] {
  return [
    { provider: 'linear', payload: linearIssue('create', { name: 'Todo', type: 'unstarted' }, '2026-06-01T09:00:00.000Z'), deliveryId: 'l1' },
    { provider: 'github', payload: pullRequest('opened', '2026-06-01T09:05:00Z', fix), eventType: 'pull_request', deliveryId: 'g1' },
    { provider: 'github', payload: pullRequest('closed', '2026-06-01T09:10:00Z', fix), eventType: 'pull_request', deliveryId: 'g2' },
    { provider: 'linear', payload: linearIssue('update', { name: 'Done', type: 'completed' }, '2026-06-01T09:12:00.000Z'), deliveryId: 'l2' },
    { provider: 'vercel', payload: { ...fixture('vercel-deployment-succeeded.json'), createdAt: Date.parse('2026-06-01T09:15:00Z') }, deliveryId: 'v1' },
    { provider: 'sentry', payload: fixture('sentry-issue-created.json'), eventType: 'issue', deliveryId: 's1' },
    { provider: 'sentry', payload: sentryError('2026-06-01T09:21:30.000000Z'), eventType: 'error', deliveryId: 's2' },
    { provider: 'github', payload: pullRequest('opened', '2026-06-01T09:24:00Z', revert), eventType: 'pull_request', deliveryId: 'g3' },
    { provider: 'github', payload: pullRequest('closed', '2026-06-01T09:26:00Z', revert), eventType: 'pull_request', deliveryId: 'g4' },
    { provider: 'linear', payload: linearIssue('update', { name: 'In Progress', type: 'started' }, '2026-06-01T09:30:00.000Z'), deliveryId: 'l3' },
    // The other committed fixtures, so the story's events have neighbours of their own providers.
    { provider: 'linear', payload: { ...fixture('linear-comment-create.json'), webhookTimestamp: Date.parse('2026-06-01T09:31:00Z') }, deliveryId: 'l4' },
    { provider: 'linear', payload: { ...fixture('linear-cycle-update.json'), webhookTimestamp: Date.parse('2026-06-01T09:32:00Z') }, deliveryId: 'l5' },
    { provider: 'linear', payload: { ...fixture('published/linear-project-create.json'), webhookTimestamp: Date.parse('2026-06-01T09:33:00Z') }, deliveryId: 'l6' },
    { provider: 'sentry', payload: fixture('sentry-event-alert.json'), eventType: 'event_alert', deliveryId: 's3' },
    { provider: 'sentry', payload: fixture('sentry-metric-alert-critical.json'), eventType: 'metric_alert', deliveryId: 's4' },
    { provider: 'vercel', payload: fixture('vercel-deployment-error.json'), deliveryId: 'v2' },
  ];
}

function githubExamples(): CorpusDelivery[] {
  const definitions = createRequire(import.meta.url)('@octokit/webhooks-examples') as { name: string; examples: unknown[] }[];
  return definitions.flatMap((d) => d.examples.map((payload, i) => ({ provider: 'github' as const, payload, eventType: d.name, deliveryId: `${d.name}-${i}` })));
}

export function corpusDeliveries(): CorpusDelivery[] {
  return [...githubExamples(), ...story()];
}
