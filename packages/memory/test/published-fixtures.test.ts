import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { MemoryEvent, MemoryProvider, MemorySource } from '@lightspeed/ports';
import { MemoryIngress, SecretBox, signDelivery, type BodyRead } from '../src/index.js';
import { freshUniverse, ManualClock, useStorage } from './backends.js';

// Bodies published outside the team, with where each came from: fixtures/README.md ("published/").
const published = (name: string) => readFileSync(new URL(`./fixtures/published/${name}`, import.meta.url), 'utf8');
const box = SecretBox.fromKey(new Uint8Array(32).fill(9));
const bodyOf = (bytes: Uint8Array) => async (max: number): Promise<BodyRead> => (bytes.byteLength > max ? { ok: false, reason: 'too_large' } : { ok: true, bytes });

describe.each(['pglite', 'postgres'] as const)('published Linear, Sentry and Vercel bodies: verify → transform → store on %s', (kind) => {
  const clock = new ManualClock(Date.parse('2026-06-01T12:00:00Z'));
  const storage = useStorage(kind, clock);
  const ingress = () => new MemoryIngress({ directory: storage().memorySourceDirectory(), events: (u) => storage().memoryEvents(u), clock, box });

  async function connect(universe: string, provider: MemoryProvider): Promise<MemorySource> {
    return storage().memorySources(universe).put(provider, { provider, eventTypes: [], secret: { kind: 'sealed', sealed: box.seal(`${provider}-published`, { universe, sourceId: provider }) } });
  }

  /** Signs the file's bytes as the provider would (Linear's recorded bodies predate `webhookTimestamp`: the clock's is added). */
  async function deliver(universe: string, source: MemorySource, file: string, eventType?: string): Promise<MemoryEvent> {
    let text = published(file);
    if (source.provider === 'linear') text = JSON.stringify({ ...(JSON.parse(text) as object), webhookTimestamp: clock.now() });
    const body = new TextEncoder().encode(text);
    const headers = await signDelivery(source.provider, `${source.provider}-published`, body, { ...(eventType ? { eventType } : {}), deliveryId: `${file}-1` });
    const answer = await ingress().handle({ provider: source.provider, webhookId: source.webhookId, headers, readBody: bodyOf(body) });
    expect(answer.status, `${file}: ${JSON.stringify(answer.body)}`).toBe(202);
    // The same body with one byte more (still valid JSON) is refused.
    const tampered = new TextEncoder().encode(`${text} `);
    const refused = await ingress().handle({ provider: source.provider, webhookId: source.webhookId, headers, readBody: bodyOf(tampered) });
    expect(refused.status, file).toBe(401);
    const event = (await storage().memoryEvents(universe).get(answer.body.eventId as string))!;
    expect(event.attributes.generic, `${file} got its specific transform`).toBeUndefined();
    return event;
  }

  it('Sentry documentation examples: issue, error, event_alert and metric_alert', async () => {
    const u = freshUniverse();
    const sentry = await connect(u, 'sentry');
    const issue = await deliver(u, sentry, 'sentry-issue-created.json', 'issue');
    expect(issue).toMatchObject({ type: 'issue', action: 'created', primary: { type: 'error', key: 'sentry:issue:1170820242' }, occurredAt: Date.parse('2019-08-19T20:58:37.391Z'), attributes: { shortId: 'FRONT-END-9', level: 'error', substatus: 'escalating' } });
    // Sentry's own actor (an application) is not a person.
    expect(issue.related).toEqual([{ type: 'service', key: 'sentry:project:front-end', relation: 'project' }]);
    const error = await deliver(u, sentry, 'sentry-error-created.json', 'error');
    expect(error).toMatchObject({ type: 'error', action: 'created', primary: { type: 'error', key: 'sentry:issue:1170820242' }, sourceKey: 'sentry:error:bb78c1407cea4519aa397afc059c793d', title: 'Sentry error: ReferenceError: blooopy is not defined' });
    // `release: null`: the payload proves no release, so no release entity (and no caused_by).
    expect(error.related.filter((r) => r.type === 'release')).toEqual([]);
    const alert = await deliver(u, sentry, 'sentry-event-alert-triggered.json', 'event_alert');
    expect(alert).toMatchObject({ type: 'event_alert', action: 'triggered', primary: { type: 'error', key: 'sentry:issue:1117540176' }, attributes: { rule: 'Very Important Alert Rule!' } });
    const metric = await deliver(u, sentry, 'sentry-metric-alert-resolved.json', 'metric_alert');
    expect(metric).toMatchObject({ type: 'metric_alert', action: 'resolved', primary: { type: 'alert', key: 'sentry:metric_alert:4' }, title: 'Sentry metric alert resolved: Resolved: Too many errors' });
    expect(metric.related).toContainEqual({ type: 'service', key: 'sentry:project:bar', relation: 'project' });
    // The error and the issue name the same Sentry issue: one entity, both events.
    expect(await storage().memoryGraph(u).entity({ type: 'error', key: 'sentry:issue:1170820242' })).toMatchObject({ eventCount: 2 });
  });

  it('Linear deliveries recorded in 2021: Issue, Comment, Project, Cycle; a display name that looks like an email is not one', async () => {
    const u = freshUniverse();
    const linear = await connect(u, 'linear');
    const issue = await deliver(u, linear, 'linear-issue-create.json');
    // No `identifier` in the 2021 format: it is the team key and the number, as Linear defines it.
    expect(issue).toMatchObject({ type: 'Issue', action: 'create', primary: { type: 'issue', key: 'linear:KOR-11' }, title: 'KOR-11 create: webhook test', attributes: { identifier: 'KOR-11', stateType: 'backlog' } });
    expect(await storage().memoryGraph(u).entity({ type: 'issue', key: 'linear:issue:236e0fe8-xxxx-xxxx-xxxx-b2df06e33810' })).toMatchObject({ key: 'linear:KOR-11' });
    const comment = await deliver(u, linear, 'linear-comment-create.json');
    expect(comment).toMatchObject({ type: 'Comment', primary: { type: 'issue', key: 'linear:issue:ac36bcc2-xxxx-xxxx-xxxx-3e13107f89be' }, body: 'コメントだーい' });
    expect(comment.related).toEqual([{ type: 'person', key: 'linear:user:80e102b0-xxxx-xxxx-xxxx-044bcfb4cd39', relation: 'author' }]);
    const project = await deliver(u, linear, 'linear-project-create.json');
    expect(project).toMatchObject({ type: 'Project', primary: { type: 'project', key: 'linear:project:14449f5f-xxxx-xxxx-xxxx-155b5c08af2a' }, title: 'Project new Project create', attributes: { state: 'planned' } });
    const cycle = await deliver(u, linear, 'linear-cycle-update.json');
    expect(cycle).toMatchObject({ type: 'Cycle', action: 'update', primary: { type: 'cycle', key: 'linear:cycle:8becebd5-xxxx-xxxx-xxxx-5a4c46206590' }, title: 'Cycle rename cycle update', occurredAt: Date.parse('2021-02-07T11:54:03.602Z') });
  });

  it("Vercel deployment.created with exactly the documented keys (values ours: Vercel publishes a field table, not a body)", async () => {
    const u = freshUniverse();
    const vercel = await connect(u, 'vercel');
    const created = await deliver(u, vercel, 'vercel-deployment-created.json');
    expect(created).toMatchObject({ type: 'deployment.created', action: 'created', primary: { type: 'deployment', key: 'vercel:deployment:dpl_fieldtable0001' }, occurredAt: 1780305600000, attributes: { environment: 'production', url: 'https://vercel.com/team/app-fieldtable/fieldtable0001' } });
    // Empty `meta`: no Git commit is proven, so none is named.
    expect(created.related).toEqual([{ type: 'service', key: 'vercel:project:prj_fieldtable', relation: 'project' }]);
  });
});
