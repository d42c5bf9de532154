import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { MemoryProvider } from '@lightspeed/ports';
import { scoreSignificance, sha256Hex, signDelivery, transformDelivery, verifyDelivery } from '../src/index.js';

// Fixture provenance: fixtures/README.md.
const NOW = Date.parse('2026-06-01T12:00:00Z');

async function deliver(provider: MemoryProvider, file: string, eventType?: string) {
  const json = JSON.parse(readFileSync(new URL(`./fixtures/${file}`, import.meta.url), 'utf8')) as Record<string, unknown>;
  if (provider === 'linear') json.webhookTimestamp = NOW;
  const body = new TextEncoder().encode(JSON.stringify(json));
  const headers = await signDelivery(provider, 'fixture-secret', body, { ...(eventType ? { eventType } : {}), deliveryId: `${file}-delivery` });
  const verified = await verifyDelivery(provider, 'fixture-secret', headers, body, NOW);
  expect(verified.ok, file).toBe(true);
  const event = transformDelivery(provider, json, { receivedAt: NOW, bodyHash: sha256Hex(body), ...(verified.ok && verified.eventType ? { eventType: verified.eventType } : {}), deliveryId: `${file}-delivery` });
  expect(event.attributes.generic, `${file} got its specific transform`).toBeUndefined();
  return { event, ...scoreSignificance(event) };
}

describe('Linear, Sentry and Vercel fixtures → canonical events', () => {
  it('Linear Issue: keyed by identifier, people by email, team/project/cycle related; urgent outage scores high', async () => {
    const { event, significance, factors } = await deliver('linear', 'linear-issue-create.json', 'Issue');
    expect(event).toMatchObject({ type: 'Issue', action: 'create', primary: { type: 'issue', key: 'linear:ENG-1' }, title: 'ENG-1 create: Login fails with 500', occurredAt: Date.parse('2026-06-01T09:00:00.000Z') });
    expect(event.related).toEqual(
      expect.arrayContaining([
        { type: 'person', key: 'email:ana@example.com', relation: 'actor' },
        { type: 'person', key: 'email:bo@example.com', relation: 'assignee' },
        { type: 'team', key: 'linear:team:ENG', relation: 'team' },
        { type: 'cycle', key: 'linear:cycle:c-1', relation: 'cycle' },
      ]),
    );
    expect(factors.map((f) => f.rule)).toEqual(['type:linear-issue-created', 'signal:incident', 'priority:urgent']);
    expect(significance).toBe(70);
  });

  it('Linear Comment and Cycle', async () => {
    const comment = await deliver('linear', 'linear-comment-create.json');
    expect(comment.event).toMatchObject({ type: 'Comment', primary: { type: 'issue', key: 'linear:ENG-1' }, body: 'Reproduced; a fix is in octo/app#7.' });
    expect(comment.factors.map((f) => f.rule)).toContain('references');
    const cycle = await deliver('linear', 'linear-cycle-update.json');
    expect(cycle.event).toMatchObject({ type: 'Cycle', action: 'update', primary: { type: 'cycle', key: 'linear:cycle:c-1' }, title: 'Cycle Reliability update', attributes: { progress: 0.4 } });
  });

  it('Sentry issue, event alert and metric alert', async () => {
    const issue = await deliver('sentry', 'sentry-issue-created.json', 'issue');
    expect(issue.event).toMatchObject({ type: 'issue', action: 'created', primary: { type: 'error', key: 'sentry:issue:1170820242' }, attributes: { shortId: 'APP-3F', level: 'error' } });
    expect(issue.event.related).toContainEqual({ type: 'service', key: 'sentry:project:app', relation: 'project' });
    expect(issue.significance).toBe(50);
    const alert = await deliver('sentry', 'sentry-event-alert.json', 'event_alert');
    expect(alert.event).toMatchObject({ type: 'event_alert', primary: { type: 'error', key: 'sentry:issue:1170820242' }, sourceKey: 'sentry:event_alert:e4874d664c3540c1a32eab185f12c5ab:Login errors in production' });
    expect(alert.factors.map((f) => f.rule)).toEqual(['type:sentry', 'level:fatal', 'target:production']);
    const metric = await deliver('sentry', 'sentry-metric-alert-critical.json', 'metric_alert');
    expect(metric.event).toMatchObject({ type: 'metric_alert', action: 'critical', primary: { type: 'alert', key: 'sentry:metric_alert:1508' }, title: 'Sentry metric alert critical: Critical: Error rate on app' });
    expect(metric.significance).toBe(55);
  });

  it('Vercel deployments name the GitHub commit the payload proves; a failed production deploy of a revert scores high', async () => {
    const ok = await deliver('vercel', 'vercel-deployment-succeeded.json');
    expect(ok.event).toMatchObject({ type: 'deployment.succeeded', action: 'succeeded', primary: { type: 'deployment', key: 'vercel:deployment:dpl_2r8YbXkN3c' }, sourceKey: 'vercel:deployment.succeeded:dpl_2r8YbXkN3c' });
    expect(ok.event.related).toContainEqual({ type: 'commit', key: 'github:octo/app@1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b', relation: 'commit' });
    const failed = await deliver('vercel', 'vercel-deployment-error.json');
    expect(failed.factors.map((f) => f.rule)).toEqual(['type:vercel-failed', 'signal:revert', 'outcome:deploy-failure', 'target:production']);
    expect(failed.significance).toBe(85);
  });
});
