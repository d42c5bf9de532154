import type { MemoryEntityRef, MemoryRelatedEntity } from '@lightspeed/ports';
import { arr, attributes, finish, firstTime, num, obj, related, str, type CanonicalEvent, type DeliveryContext, type JsonObject } from './canonical-event.js';

/*
 * Linear, Sentry and Vercel deliveries → canonical events. Keys: Linear issues by identifier
 * (`linear:ENG-42`, what people write in PR titles), projects and cycles by id; Sentry issues as
 * `error` entities `sentry:issue:<id>`, projects as `service`; Vercel deployments by id, and their
 * git commit as the same `github:owner/repo@sha` entity a GitHub push names, since the payload
 * proves it. People are keyed by email when the payload has one (`email:<address>`), which is how
 * the same person links across tools; never by display name.
 */

function personOf(value: unknown, relation: string, provider: string): MemoryRelatedEntity | undefined {
  const person = obj(value);
  const email = str(person?.email);
  if (email) return { type: 'person', key: `email:${email.toLowerCase()}`, relation };
  const id = str(person?.id) ?? (num(person?.id) !== undefined ? String(num(person?.id)) : undefined);
  return id ? { type: 'person', key: `${provider}:user:${id}`, relation } : undefined;
}

/** People objects with both an id and an email prove the id's user has that email (Linear's actor, assignee, creator). */
function provenSame(values: unknown[], provider: string): { samePerson?: string[][] } {
  const groups: string[][] = [];
  for (const value of values) {
    const email = str(obj(value)?.email);
    const id = str(obj(value)?.id);
    if (email && id) groups.push([`email:${email.toLowerCase()}`, `${provider}:user:${id}`]);
  }
  return groups.length ? { samePerson: groups } : {};
}

// ---- Linear: Issue, Comment, Project, Cycle (type and action in the body) ----

function linearIssueRef(issue: JsonObject | undefined): MemoryEntityRef | undefined {
  // Older deliveries carry no `identifier`; Linear defines it as the team key and the issue number.
  const teamKey = str(obj(issue?.team)?.key);
  const number = num(issue?.number);
  const identifier = str(issue?.identifier) ?? (teamKey && number !== undefined ? `${teamKey}-${number}` : undefined);
  if (identifier) return { type: 'issue', key: `linear:${identifier}` };
  const id = str(issue?.id);
  return id ? { type: 'issue', key: `linear:issue:${id}` } : undefined;
}

export function transformLinear(body: JsonObject, context: DeliveryContext): CanonicalEvent | undefined {
  const type = str(body.type) ?? context.eventType;
  const action = str(body.action) ?? 'unknown';
  const data = obj(body.data);
  const id = str(data?.id);
  if (!data || !id || !type) return undefined;
  const at = firstTime(context.receivedAt, data.updatedAt, body.createdAt, data.createdAt);
  const key = `linear:${type}:${id}:${action}:${str(data.updatedAt) ?? context.deliveryId ?? context.bodyHash}`;
  const url = str(body.url) ?? str(data.url);
  const actor = personOf(body.actor, 'actor', 'linear');
  switch (type) {
    case 'Issue': {
      const primary = linearIssueRef(data)!;
      const team = obj(data.team);
      const state = obj(data.state);
      return finish({
        provider: 'linear',
        type,
        action,
        occurredAt: at,
        sourceKey: key,
        primary,
        related: related(primary, [
          actor,
          personOf(data.assignee, 'assignee', 'linear'),
          personOf(data.creator, 'author', 'linear'),
          str(team?.key) ? { type: 'team', key: `linear:team:${str(team?.key)!}`, relation: 'team' } : undefined,
          str(data.projectId) ? { type: 'project', key: `linear:project:${str(data.projectId)!}`, relation: 'project' } : undefined,
          str(data.cycleId) ? { type: 'cycle', key: `linear:cycle:${str(data.cycleId)!}`, relation: 'cycle' } : undefined,
        ]),
        ...provenSame([body.actor, data.assignee, data.creator], 'linear'),
        title: `${primary.key.startsWith('linear:issue:') ? 'Issue' : primary.key.slice('linear:'.length)} ${action}: ${str(data.title) ?? ''}`.trim(),
        ...(str(data.description) ? { body: str(data.description)! } : {}),
        attributes: attributes({
          identifier: primary.key.startsWith('linear:issue:') ? undefined : primary.key.slice('linear:'.length),
          // The id is an alias of the identifier: comments and other payloads name the issue by it.
          linearId: id,
          state: str(state?.name),
          stateType: str(state?.type),
          priority: num(data.priority),
          labels: arr(data.labels).map((l) => str(obj(l)?.name)).filter((l) => l !== undefined).join(',') || undefined,
          url,
        }),
      });
    }
    case 'Comment': {
      const issue = linearIssueRef(obj(data.issue)) ?? (str(data.issueId) ? { type: 'issue', key: `linear:issue:${str(data.issueId)!}` } : undefined);
      const primary = issue ?? { type: 'comment', key: `linear:comment:${id}` };
      return finish({
        provider: 'linear',
        type,
        action,
        occurredAt: at,
        sourceKey: key,
        primary,
        related: related(primary, [actor, personOf(data.user, 'author', 'linear')]),
        ...provenSame([body.actor, data.user], 'linear'),
        title: `Comment ${action} on ${str(obj(data.issue)?.identifier) ?? 'an issue'}${str(obj(data.issue)?.title) ? `: ${str(obj(data.issue)?.title)!}` : ''}`,
        ...(str(data.body) ? { body: str(data.body)! } : {}),
        attributes: attributes({ commentId: id, url }),
      });
    }
    case 'Project':
    case 'Cycle': {
      const primary: MemoryEntityRef = { type: type === 'Project' ? 'project' : 'cycle', key: `linear:${type === 'Project' ? 'project' : 'cycle'}:${id}` };
      const name = str(data.name) ?? (num(data.number) !== undefined ? `Cycle ${num(data.number)!}` : id);
      return finish({
        provider: 'linear',
        type,
        action,
        occurredAt: at,
        sourceKey: key,
        primary,
        related: related(primary, [actor, personOf(data.lead, 'lead', 'linear')]),
        title: `${type} ${name} ${action}`,
        ...(str(data.description) ? { body: str(data.description)! } : {}),
        attributes: attributes({ state: str(data.state), progress: num(data.progress), startsAt: str(data.startsAt), endsAt: str(data.endsAt) ?? str(data.targetDate), url }),
      });
    }
    default:
      return undefined;
  }
}

// ---- Sentry: issue, error, event_alert, metric_alert (resource in Sentry-Hook-Resource) ----

function idText(value: unknown): string | undefined {
  return str(value) ?? (num(value) !== undefined ? String(num(value)) : undefined);
}

/**
 * A Sentry release, and the commit it is when its version is a full SHA (`<sha>` or `app@<sha>`, as
 * Vercel's and Sentry's own integrations name releases): then the payload proves which commit ran.
 */
function releaseOf(value: unknown): MemoryRelatedEntity[] {
  const version = str(value);
  if (!version) return [];
  const sha = /(?:^|[@\-_/])([0-9a-f]{40})$/.exec(version)?.[1];
  return [{ type: 'release', key: `sentry:release:${version}`, relation: 'release' }, ...(sha ? [{ type: 'commit', key: `sha:${sha}`, relation: 'release_commit' }] : [])];
}

export function transformSentry(body: JsonObject, context: DeliveryContext): CanonicalEvent | undefined {
  const resource = context.eventType;
  const action = str(body.action) ?? 'unknown';
  const data = obj(body.data);
  if (!data || !resource) return undefined;
  const once = context.deliveryId ?? context.bodyHash;
  // Sentry's own actor (`type: application`, id `sentry`) is not a person.
  const actor = str(obj(body.actor)?.type) === 'user' ? personOf(body.actor, 'actor', 'sentry') : undefined;
  const service = (slug: unknown) => (str(slug) ? { type: 'service', key: `sentry:project:${str(slug)!}`, relation: 'project' } : undefined);
  switch (resource) {
    case 'issue': {
      const issue = obj(data.issue);
      const id = idText(issue?.id);
      if (!issue || !id) return undefined;
      const primary: MemoryEntityRef = { type: 'error', key: `sentry:issue:${id}` };
      return finish({
        provider: 'sentry',
        type: 'issue',
        action,
        occurredAt: firstTime(context.receivedAt, action === 'created' ? issue.firstSeen : undefined, issue.lastSeen, issue.firstSeen),
        sourceKey: `sentry:issue:${id}:${action}:${once}`,
        primary,
        related: related(primary, [actor, service(obj(issue.project)?.slug), personOf(issue.assignedTo, 'assignee', 'sentry')]),
        title: `Sentry ${str(issue.shortId) ?? id} ${action}: ${str(issue.title) ?? ''}`.trim(),
        ...(str(issue.culprit) ? { body: str(issue.culprit)! } : {}),
        attributes: attributes({ shortId: str(issue.shortId), level: str(issue.level), status: str(issue.status), substatus: str(issue.substatus), count: idText(issue.count), url: str(issue.permalink) ?? str(issue.web_url) }),
      });
    }
    case 'error':
    case 'event_alert': {
      const event = obj(data.error) ?? obj(data.event);
      const eventId = str(event?.event_id);
      if (!event || !eventId) return undefined;
      const issueId = idText(event.issue_id);
      const primary: MemoryEntityRef = issueId ? { type: 'error', key: `sentry:issue:${issueId}` } : { type: 'error', key: `sentry:event:${eventId}` };
      const rule = str(data.triggered_rule);
      return finish({
        provider: 'sentry',
        type: resource,
        action,
        occurredAt: firstTime(context.receivedAt, event.datetime, event.timestamp),
        sourceKey: `sentry:${resource}:${eventId}${rule ? `:${rule}` : ''}`,
        primary,
        related: related(primary, [actor, service(event.project_slug ?? obj(event.project)?.slug), ...releaseOf(event.release)]),
        title: `Sentry ${resource === 'error' ? 'error' : `alert ${rule ?? ''}`.trim()}: ${str(event.title) ?? eventId}`,
        ...(str(event.culprit) ? { body: str(event.culprit)! } : {}),
        attributes: attributes({ eventId, level: str(event.level), environment: str(event.environment), release: str(event.release), rule, url: str(event.web_url) }),
      });
    }
    case 'metric_alert': {
      const alert = obj(data.metric_alert);
      const id = idText(alert?.id);
      if (!alert || !id) return undefined;
      const primary: MemoryEntityRef = { type: 'alert', key: `sentry:metric_alert:${id}` };
      return finish({
        provider: 'sentry',
        type: 'metric_alert',
        action,
        occurredAt: firstTime(context.receivedAt, alert.date_detected, alert.date_started),
        sourceKey: `sentry:metric_alert:${id}:${action}:${str(alert.date_detected) ?? once}`,
        primary,
        related: related(primary, [actor, ...arr(obj(alert.alert_rule)?.projects).map((p) => service(p))]),
        title: `Sentry metric alert ${action}: ${str(data.description_title) ?? str(alert.title) ?? id}`,
        ...(str(data.description_text) ? { body: str(data.description_text)! } : {}),
        attributes: attributes({ rule: str(obj(alert.alert_rule)?.name), status: action, url: str(data.web_url) }),
      });
    }
    default:
      return undefined;
  }
}

// ---- Vercel: deployment.* (type and id in the body) ----

export function transformVercel(body: JsonObject, context: DeliveryContext): CanonicalEvent | undefined {
  const type = str(body.type);
  const payload = obj(body.payload);
  const deployment = obj(payload?.deployment);
  const id = str(deployment?.id);
  if (!type?.startsWith('deployment.') || !payload || !deployment || !id) return undefined;
  const action = type.slice('deployment.'.length);
  const meta = obj(deployment.meta);
  const repo = str(meta?.githubOrg) && str(meta?.githubRepo) ? `${str(meta?.githubOrg)!}/${str(meta?.githubRepo)!}` : undefined;
  const sha = str(meta?.githubCommitSha);
  const ref = str(meta?.githubCommitRef);
  const target = str(payload.target) ?? 'preview';
  const projectId = str(obj(payload.project)?.id) ?? str(deployment.projectId);
  const primary: MemoryEntityRef = { type: 'deployment', key: `vercel:deployment:${id}` };
  return finish({
    provider: 'vercel',
    type,
    action,
    occurredAt: firstTime(context.receivedAt, body.createdAt),
    sourceKey: `vercel:${type}:${id}`,
    primary,
    related: related(primary, [
      projectId ? { type: 'service', key: `vercel:project:${projectId}`, relation: 'project' } : undefined,
      repo && sha && /^[0-9a-f]{7,40}$/.test(sha) ? { type: 'commit', key: `github:${repo}@${sha}`, relation: 'commit' } : undefined,
      repo && ref ? { type: 'branch', key: `github:${repo}:${ref}`, relation: 'branch' } : undefined,
      repo ? { type: 'repository', key: `github:${repo}`, relation: 'repository' } : undefined,
    ]),
    title: `Vercel deployment ${str(deployment.name) ?? id} to ${target}: ${action}`,
    ...(str(meta?.githubCommitMessage) ? { body: str(meta?.githubCommitMessage)! } : {}),
    attributes: attributes({
      environment: target,
      state: action === 'error' ? 'error' : action === 'canceled' ? 'canceled' : action,
      url: str(obj(payload.links)?.deployment) ?? (str(deployment.url) ? `https://${str(deployment.url)!}` : undefined),
      sha,
      ref,
    }),
  });
}
