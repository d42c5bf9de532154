import type { MemoryEntityRef, MemoryRelatedEntity } from '@lightspeed/ports';
import { arr, attributes, finish, firstTime, num, obj, related, str, type CanonicalEvent, type DeliveryContext, type JsonObject } from './canonical-event.js';

/*
 * GitHub deliveries → canonical events. Entity keys: repository `github:owner/repo`, pr and issue
 * `github:owner/repo#12` (one number space, told apart by type), commit `github:owner/repo@<sha>`,
 * branch `github:owner/repo:<branch>`, person `github:<login>`. Source keys are built from the
 * payload (object id, action and its update time), not the delivery id, so a redelivery and a
 * later backfill of the same change are one event.
 */

type Transform = (payload: JsonObject, repo: string | undefined, context: DeliveryContext) => CanonicalEvent | undefined;

function person(login: unknown, relation: string): MemoryRelatedEntity | undefined {
  const name = str(login);
  return name ? { type: 'person', key: `github:${name}`, relation } : undefined;
}

/** A commit author or committer with both `username` and `email` proves that login has that email. */
function samePeople(people: unknown[]): { samePerson?: string[][] } {
  const pairs = new Map<string, string[]>();
  for (const p of people) {
    const username = str(obj(p)?.username);
    const email = str(obj(p)?.email);
    if (username && email && pairs.size < 20) pairs.set(`${email.toLowerCase()} ${username}`, [`email:${email.toLowerCase()}`, `github:${username}`]);
  }
  return pairs.size ? { samePerson: [...pairs.values()] } : {};
}

function branch(repo: string | undefined, ref: unknown, relation: string): MemoryRelatedEntity | undefined {
  const name = str(ref)?.replace(/^refs\/heads\//, '');
  return repo && name ? { type: 'branch', key: `github:${repo}:${name}`, relation } : undefined;
}

function commit(repo: string | undefined, sha: unknown, relation: string): MemoryRelatedEntity | undefined {
  const id = str(sha);
  return repo && id && /^[0-9a-f]{7,40}$/.test(id) && !/^0+$/.test(id) ? { type: 'commit', key: `github:${repo}@${id}`, relation } : undefined;
}

/**
 * What an action acts on, when it is not the object itself: two labels added in the same second
 * are two facts, so the label (assignee, reviewer, milestone) is part of the source key.
 */
function actionSubject(payload: JsonObject): string {
  const subject = str(obj(payload.label)?.name) ?? str(obj(payload.assignee)?.login) ?? str(obj(payload.requested_reviewer)?.login) ?? str(obj(payload.requested_team)?.slug) ?? str(obj(payload.milestone)?.title);
  return subject ? `:${subject}` : '';
}

function repository(repo: string | undefined): MemoryRelatedEntity | undefined {
  return repo ? { type: 'repository', key: `github:${repo}`, relation: 'repository' } : undefined;
}

const pullRequest: Transform = (payload, repo, context) => {
  const pr = obj(payload.pull_request);
  const number = num(pr?.number ?? payload.number);
  if (!pr || !repo || number === undefined) return undefined;
  const raw = str(payload.action) ?? 'unknown';
  const action = raw === 'closed' && pr.merged === true ? 'merged' : raw;
  const primary: MemoryEntityRef = { type: 'pr', key: `github:${repo}#${number}` };
  const at = firstTime(context.receivedAt, action === 'merged' ? pr.merged_at : undefined, pr.updated_at, pr.created_at);
  return finish({
    provider: 'github',
    type: 'pull_request',
    action,
    occurredAt: at,
    sourceKey: `github:pull_request:${repo}#${number}:${raw}${actionSubject(payload)}:${str(pr.updated_at) ?? context.bodyHash}`,
    primary,
    related: related(primary, [
      repository(repo),
      person(obj(pr.user)?.login, 'author'),
      person(obj(payload.sender)?.login, 'actor'),
      branch(repo, obj(pr.head)?.ref, 'head_branch'),
      branch(repo, obj(pr.base)?.ref, 'base_branch'),
      commit(repo, obj(pr.head)?.sha, 'head_commit'),
      commit(repo, pr.merged === true ? pr.merge_commit_sha : undefined, 'merge_commit'),
      ...arr(pr.requested_reviewers).map((r) => person(obj(r)?.login, 'requested_reviewer')),
    ]),
    title: `PR #${number} ${action}: ${str(pr.title) ?? ''}`.trim(),
    ...(str(pr.body) ? { body: str(pr.body)! } : {}),
    attributes: attributes({
      number,
      state: str(pr.state),
      merged: typeof pr.merged === 'boolean' ? pr.merged : undefined,
      draft: typeof pr.draft === 'boolean' ? pr.draft : undefined,
      additions: num(pr.additions),
      deletions: num(pr.deletions),
      changedFiles: num(pr.changed_files),
      url: str(pr.html_url),
    }),
  });
};

const issues: Transform = (payload, repo, context) => {
  const issue = obj(payload.issue);
  const number = num(issue?.number);
  if (!issue || !repo || number === undefined) return undefined;
  const action = str(payload.action) ?? 'unknown';
  const primary: MemoryEntityRef = { type: 'issue', key: `github:${repo}#${number}` };
  return finish({
    provider: 'github',
    type: 'issues',
    action,
    occurredAt: firstTime(context.receivedAt, issue.updated_at, issue.created_at),
    sourceKey: `github:issues:${repo}#${number}:${action}${actionSubject(payload)}:${str(issue.updated_at) ?? context.bodyHash}`,
    primary,
    related: related(primary, [
      repository(repo),
      person(obj(issue.user)?.login, 'author'),
      person(obj(payload.sender)?.login, 'actor'),
      ...arr(issue.assignees).map((a) => person(obj(a)?.login, 'assignee')),
    ]),
    title: `Issue #${number} ${action}: ${str(issue.title) ?? ''}`.trim(),
    ...(str(issue.body) ? { body: str(issue.body)! } : {}),
    attributes: attributes({
      number,
      state: str(issue.state),
      labels: arr(issue.labels).map((l) => str(obj(l)?.name)).filter((l) => l !== undefined).join(',') || undefined,
      url: str(issue.html_url),
    }),
  });
};

const issueComment: Transform = (payload, repo, context) => {
  const issue = obj(payload.issue);
  const comment = obj(payload.comment);
  const number = num(issue?.number);
  const id = num(comment?.id);
  if (!issue || !comment || !repo || number === undefined || id === undefined) return undefined;
  const action = str(payload.action) ?? 'unknown';
  const onPr = obj(issue.pull_request) !== undefined;
  const primary: MemoryEntityRef = { type: onPr ? 'pr' : 'issue', key: `github:${repo}#${number}` };
  return finish({
    provider: 'github',
    type: 'issue_comment',
    action,
    occurredAt: firstTime(context.receivedAt, comment.updated_at, comment.created_at),
    sourceKey: `github:issue_comment:${repo}:${id}:${action}:${str(comment.updated_at) ?? context.bodyHash}`,
    primary,
    related: related(primary, [repository(repo), person(obj(comment.user)?.login, 'author'), person(obj(payload.sender)?.login, 'actor')]),
    title: `Comment ${action} on ${onPr ? 'PR' : 'issue'} #${number}: ${str(issue.title) ?? ''}`.trim(),
    ...(str(comment.body) ? { body: str(comment.body)! } : {}),
    attributes: attributes({ number, commentId: id, url: str(comment.html_url) }),
  });
};

const push: Transform = (payload, repo, context) => {
  const ref = str(payload.ref);
  const after = str(payload.after);
  if (!repo || !ref || !after) return undefined;
  const commits = arr(payload.commits).map(obj);
  const head = obj(payload.head_commit);
  const name = ref.replace(/^refs\/(heads|tags)\//, '');
  const primary: MemoryEntityRef = ref.startsWith('refs/tags/') ? { type: 'tag', key: `github:${repo}:tags/${name}` } : { type: 'branch', key: `github:${repo}:${name}` };
  const messages = commits.map((c) => str(c?.message)).filter((m) => m !== undefined);
  return finish({
    provider: 'github',
    type: 'push',
    action: payload.deleted === true ? 'deleted' : payload.created === true ? 'created' : payload.forced === true ? 'forced' : 'pushed',
    occurredAt: firstTime(context.receivedAt, head?.timestamp, obj(payload.repository)?.pushed_at),
    sourceKey: `github:push:${repo}:${ref}:${str(payload.before) ?? ''}..${after}`,
    primary,
    related: related(primary, [
      repository(repo),
      person(obj(payload.pusher)?.name, 'pusher'),
      person(obj(payload.sender)?.login, 'actor'),
      commit(repo, after, 'head_commit'),
      ...commits.map((c) => commit(repo, c?.id, 'commit')),
    ]),
    ...samePeople(commits.flatMap((c) => [c?.author, c?.committer])),
    title: `Push to ${name}: ${commits.length} commit${commits.length === 1 ? '' : 's'}${head && str(head.message) ? ` (${str(head.message)!.split('\n')[0]})` : ''}`,
    ...(messages.length > 0 ? { body: messages.join('\n\n') } : {}),
    attributes: attributes({ ref, before: str(payload.before), after, commits: commits.length, forced: payload.forced === true, url: str(payload.compare) }),
  });
};

const release: Transform = (payload, repo, context) => {
  const rel = obj(payload.release);
  const id = num(rel?.id);
  if (!rel || !repo || id === undefined) return undefined;
  const action = str(payload.action) ?? 'unknown';
  const tag = str(rel.tag_name) ?? String(id);
  const primary: MemoryEntityRef = { type: 'release', key: `github:${repo}/releases/${tag}` };
  return finish({
    provider: 'github',
    type: 'release',
    action,
    occurredAt: firstTime(context.receivedAt, rel.published_at, rel.created_at),
    sourceKey: `github:release:${repo}:${id}:${action}`,
    primary,
    related: related(primary, [repository(repo), person(obj(rel.author)?.login, 'author'), branch(repo, rel.target_commitish, 'target')]),
    title: `Release ${tag} ${action}${str(rel.name) ? `: ${str(rel.name)!}` : ''}`,
    ...(str(rel.body) ? { body: str(rel.body)! } : {}),
    attributes: attributes({ tag, prerelease: rel.prerelease === true, draft: rel.draft === true, url: str(rel.html_url) }),
  });
};

const deploymentStatus: Transform = (payload, repo, context) => {
  const status = obj(payload.deployment_status);
  const deployment = obj(payload.deployment);
  const id = num(deployment?.id);
  if (!status || !deployment || !repo || id === undefined) return undefined;
  const state = str(status.state) ?? 'unknown';
  const primary: MemoryEntityRef = { type: 'deployment', key: `github:${repo}/deployments/${id}` };
  const environment = str(status.environment) ?? str(deployment.environment);
  return finish({
    provider: 'github',
    type: 'deployment_status',
    action: state,
    occurredAt: firstTime(context.receivedAt, status.updated_at, status.created_at),
    sourceKey: `github:deployment_status:${repo}:${num(status.id) ?? context.bodyHash}`,
    primary,
    related: related(primary, [
      repository(repo),
      commit(repo, deployment.sha, 'commit'),
      branch(repo, deployment.ref, 'ref'),
      person(obj(deployment.creator)?.login, 'creator'),
      environment ? { type: 'service', key: `github:${repo}/environments/${environment}`, relation: 'environment' } : undefined,
    ]),
    title: `Deployment ${id} to ${environment ?? 'an environment'}: ${state}`,
    ...(str(status.description) ? { body: str(status.description)! } : {}),
    attributes: attributes({ state, environment, sha: str(deployment.sha), url: str(status.target_url) ?? str(status.environment_url) }),
  });
};

const workflowRun: Transform = (payload, repo, context) => {
  const run = obj(payload.workflow_run);
  const id = num(run?.id);
  if (!run || !repo || id === undefined) return undefined;
  const action = str(payload.action) ?? 'unknown';
  const primary: MemoryEntityRef = { type: 'workflow_run', key: `github:${repo}/actions/runs/${id}` };
  const conclusion = str(run.conclusion);
  return finish({
    provider: 'github',
    type: 'workflow_run',
    action,
    occurredAt: firstTime(context.receivedAt, run.updated_at, run.run_started_at, run.created_at),
    sourceKey: `github:workflow_run:${repo}:${id}:${num(run.run_attempt) ?? 1}:${action}`,
    primary,
    related: related(primary, [
      repository(repo),
      commit(repo, run.head_sha, 'commit'),
      branch(repo, run.head_branch, 'branch'),
      person(obj(run.actor)?.login, 'actor'),
      ...arr(run.pull_requests).map((p) => {
        const n = num(obj(p)?.number);
        return n === undefined ? undefined : { type: 'pr', key: `github:${repo}#${n}`, relation: 'pull_request' };
      }),
    ]),
    title: `Workflow ${str(run.name) ?? id} ${action}${conclusion ? `: ${conclusion}` : ''}`,
    attributes: attributes({ status: str(run.status), conclusion, event: str(run.event), attempt: num(run.run_attempt), url: str(run.html_url) }),
  });
};

const checkRun: Transform = (payload, repo, context) => {
  const check = obj(payload.check_run);
  const id = num(check?.id);
  if (!check || !repo || id === undefined) return undefined;
  const action = str(payload.action) ?? 'unknown';
  const primary: MemoryEntityRef = { type: 'check_run', key: `github:${repo}/check-runs/${id}` };
  const conclusion = str(check.conclusion);
  return finish({
    provider: 'github',
    type: 'check_run',
    action,
    occurredAt: firstTime(context.receivedAt, check.completed_at, check.started_at),
    sourceKey: `github:check_run:${repo}:${id}:${action}:${str(check.status) ?? ''}:${conclusion ?? ''}`,
    primary,
    related: related(primary, [
      repository(repo),
      commit(repo, check.head_sha, 'commit'),
      ...arr(check.pull_requests).map((p) => {
        const n = num(obj(p)?.number);
        return n === undefined ? undefined : { type: 'pr', key: `github:${repo}#${n}`, relation: 'pull_request' };
      }),
    ]),
    title: `Check ${str(check.name) ?? id} ${action}${conclusion ? `: ${conclusion}` : ''}`,
    ...(str(obj(check.output)?.summary) ? { body: str(obj(check.output)?.summary)! } : {}),
    attributes: attributes({ status: str(check.status), conclusion, url: str(check.html_url) }),
  });
};

const TRANSFORMS: Record<string, Transform> = {
  pull_request: pullRequest,
  issues,
  issue_comment: issueComment,
  push,
  release,
  deployment_status: deploymentStatus,
  workflow_run: workflowRun,
  check_run: checkRun,
};

export const GITHUB_TRANSFORMED_TYPES: readonly string[] = Object.keys(TRANSFORMS);

/** The canonical event of a known type, or undefined (the caller stores a generic event). */
export function transformGithub(payload: JsonObject, context: DeliveryContext): CanonicalEvent | undefined {
  const type = context.eventType;
  const transform = type === undefined ? undefined : TRANSFORMS[type];
  if (!transform) return undefined;
  return transform(payload, str(obj(payload.repository)?.full_name), context);
}

export function githubRepository(payload: JsonObject): string | undefined {
  return str(obj(payload.repository)?.full_name);
}
