import type { MemoryEdgeInput, MemoryEdgeJoin, MemoryEntityInput, MemoryEntityQueryKey, MemoryEntityRef, MemoryGraphInput } from '@lightspeed/ports';
import type { CanonicalEvent } from './canonical-event.js';

/*
 * Canonical event → the entities and edges it asserts. Two sources: the structured fields the
 * transforms already resolved (primary and related entities, each relation mapped to an edge type),
 * and references read from the title and body (`fixes #12`, `ENG-42`, commit SHAs, GitHub and
 * Linear URLs). Pure: the store writes the result in the event's transaction.
 */

/** How a related entity's relation reads as an edge from the primary; relations absent here (actor) make no edge. */
const RELATION_EDGES: Record<string, string> = {
  author: 'authored_by',
  creator: 'authored_by',
  assignee: 'assigned_to',
  requested_reviewer: 'review_requested_from',
  repository: 'belongs_to',
  project: 'belongs_to',
  team: 'belongs_to',
  environment: 'belongs_to',
  cycle: 'tracked_in',
  commit: 'deploys',
  branch: 'deployed_from',
  head_branch: 'head_branch',
  base_branch: 'base_branch',
  head_commit: 'head_commit',
  merge_commit: 'merged_as',
  release: 'seen_in',
  release_commit: 'seen_in',
  pull_request: 'runs_for',
};

/** Relations naming a commit a PR or push is made of; a deployment of the same commit is `same_commit` with it. */
const CHANGE_COMMIT_EDGES = ['merged_as', 'head_commit'];
/** A Sentry error in a release that is a deployed commit is `caused_by` that deployment, read not certain. */
export const CAUSED_BY_CONFIDENCE = 0.8;

/** The verbs GitHub and Linear both treat as "closing" keywords, each its own edge type. */
const CLOSING_VERBS: Record<string, string> = { fix: 'fixes', fixes: 'fixes', fixed: 'fixes', close: 'closes', closes: 'closes', closed: 'closes', resolve: 'resolves', resolves: 'resolves', resolved: 'resolves' };
/** GitHub's revert button writes "Reverts owner/repo#7": what is reverted is a PR (or a commit). */
const REVERT_VERBS = new Set(['revert', 'reverts', 'reverted']);
export const CLOSING_EDGE_TYPES = ['fixes', 'closes', 'resolves'];
/** Text references are read, not proven: they weigh less than a payload field. */
export const TEXT_REFERENCE_CONFIDENCE = 0.7;

/** `UTF-8`, `SHA-256`: shapes of a Linear identifier that are not one. */
const NOT_LINEAR_TEAMS = new Set(['UTF', 'SHA', 'ISO', 'RFC', 'CVE', 'HTTP', 'TLS', 'SSL', 'AES', 'GPT', 'ES', 'IPV', 'MD', 'X', 'P']);
/** Linear states in which an issue is open again. */
const OPEN_LINEAR_STATES = new Set(['triage', 'backlog', 'unstarted', 'started']);

const LINEAR_ID = /^([A-Z][A-Z0-9]{0,9})-(\d{1,9})$/;

/** One reference found in text: the entity and, when a closing verb precedes it, the verb's edge type. */
export interface TextReference {
  ref: MemoryEntityRef;
  edge: string;
}

// Each alternative is one reference shape; the optional verb in front makes it a closing reference.
const REFERENCE =
  /(?:\b(fix(?:e[sd])?|close[sd]?|resolve[sd]?|revert(?:s|ed)?)\b:?\s+)?(?:https?:\/\/github\.com\/([\w.-]+\/[\w.-]+)\/(pull|issues)\/(\d+)|https?:\/\/github\.com\/([\w.-]+\/[\w.-]+)\/commit\/([0-9a-f]{7,40})|https?:\/\/linear\.app\/[\w.-]+\/issue\/([A-Z][A-Z0-9]{0,9}-\d{1,9})|(?<![\w/])([\w.-]+\/[\w.-]+)?#(\d{1,9})\b|\b([A-Z][A-Z0-9]{0,9}-\d{1,9})\b|\b([0-9a-f]{7,40})\b)/gi;

/** The references in `text`; `repo` (`owner/name`) is what a bare `#12` or SHA means, none without it. */
export function textReferences(text: string, repo: string | undefined): TextReference[] {
  const out: TextReference[] = [];
  for (const m of text.matchAll(REFERENCE)) {
    const reverts = m[1] !== undefined && REVERT_VERBS.has(m[1].toLowerCase());
    const verb = m[1] ? (reverts ? 'reverts' : CLOSING_VERBS[m[1].toLowerCase()]) : undefined;
    let ref: MemoryEntityRef | undefined;
    if (m[2] && m[3] && m[4]) ref = { type: m[3] === 'pull' ? 'pr' : 'issue', key: `github:${m[2]}#${m[4]}` };
    else if (m[5] && m[6]) ref = { type: 'commit', key: `github:${m[5]}@${m[6].toLowerCase()}` };
    else if (m[7]) ref = linearRef(m[7].toUpperCase());
    else if (m[9]) {
      const owner = m[8] ?? repo;
      // GitHub numbers issues and PRs in one sequence; without the payload `#12` is read as an issue, unless reverted.
      if (owner) ref = { type: reverts ? 'pr' : 'issue', key: `github:${owner}#${m[9]}` };
    } else if (m[10]) ref = /[A-Z]/.test(m[10].split('-')[0]!) && m[10] === m[10].toUpperCase() ? linearRef(m[10]) : undefined;
    else if (m[11] && repo && isShaShaped(m[11])) ref = { type: 'commit', key: `github:${repo}@${m[11].toLowerCase()}` };
    if (ref) out.push({ ref, edge: verb ?? 'references' });
  }
  return out;
}

/** Stands for "any repository" while a query is read: the store matches it with a LIKE wildcard. */
const ANY_REPO = '\u0000';

/** A LIKE pattern matching `text` literally, with ANY_REPO as `%`. */
function likePattern(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`).replaceAll(ANY_REPO, '%');
}

/**
 * The entities a search query names, as store lookups (memory search's entity path). References
 * are read by `textReferences`, the same reader as the events' text, with "any repository" for
 * what a bare `#12` or SHA leaves out; GitHub numbers issues and PRs in one sequence, so `#12`
 * looks up both. People are `@login` or an email; branches are words after "branch" or with a
 * `/` in them (`feature/login`).
 */
export function queryEntityKeys(query: string): MemoryEntityQueryKey[] {
  const keys: MemoryEntityQueryKey[] = [];
  const add = (key: MemoryEntityQueryKey) => {
    if (!keys.some((k) => k.type === key.type && k.key === key.key)) keys.push(key);
  };
  for (const { ref } of textReferences(query, ANY_REPO)) {
    const loose = ref.key.includes(ANY_REPO);
    if (ref.type === 'issue' || ref.type === 'pr') {
      for (const type of ['issue', 'pr']) add(loose ? { type, key: likePattern(ref.key), like: true } : { type, key: ref.key });
    } else if (ref.type === 'commit') {
      // A short SHA is a prefix of the stored full one. Without a repository it is looked up by the
      // `sha:<full sha>` alias every full-SHA commit has (an index range, not a scan of all commits).
      const sha = ref.key.slice(ref.key.lastIndexOf('@') + 1);
      add(loose ? { type: 'commit', key: `sha:${sha}%`, like: true } : { type: 'commit', key: `${likePattern(ref.key)}%`, like: true });
    } else {
      add(ref);
    }
  }
  const words = query.split(/\s+/).filter(Boolean);
  const people: MemoryEntityQueryKey[] = [];
  words.forEach((word, i) => {
    const clean = word.replace(/^[("'`]+|[)"'`,.;:?!]+$/g, '');
    const login = /^@([A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))$/.exec(clean)?.[1];
    if (login) add({ type: 'person', key: `github:${login}` });
    if (/^[^@\s]+@[^@\s]+\.[a-z]{2,}$/i.test(clean)) add({ type: 'person', key: `email:${clean.toLowerCase()}` });
    // A bare word may be a GitHub login ("what did octocat ship"): an exact lookup, so words that are none cost an index probe.
    if (/^[A-Za-z0-9][A-Za-z0-9-]{2,38}$/.test(clean)) people.push({ type: 'person', key: `github:${clean}` });
    const afterBranch = i > 0 && /^branch(es)?$/i.test(words[i - 1]!);
    if ((afterBranch || /^[\w.-]+\/[\w./-]+$/.test(clean)) && !clean.includes('#') && /^[\w./-]{1,200}$/.test(clean)) {
      add({ type: 'branch', key: `github:%:${likePattern(clean)}`, like: true });
    }
  });
  // Explicit references first: the store looks up at most 32 keys.
  for (const key of people) add(key);
  return keys.slice(0, 32);
}

function linearRef(identifier: string): MemoryEntityRef | undefined {
  const m = LINEAR_ID.exec(identifier);
  return m && !NOT_LINEAR_TEAMS.has(m[1]!) ? { type: 'issue', key: `linear:${identifier}` } : undefined;
}

/** A run of hex is a SHA when it has both digits and letters (`1234567` and `deadbee` are words). */
function isShaShaped(hex: string): boolean {
  return hex.length === 40 || (/[0-9]/.test(hex) && /[a-f]/i.test(hex) && hex === hex.toLowerCase());
}

function sameRef(a: MemoryEntityRef, b: MemoryEntityRef): boolean {
  return a.type === b.type && a.key === b.key;
}

/** Whether the event says its primary issue is open again (a GitHub reopen; a Linear issue moved back to an open state). */
function reopens(event: CanonicalEvent): boolean {
  if (event.primary?.type !== 'issue') return false;
  if (event.provider === 'github') return event.type === 'issues' && event.action === 'reopened';
  if (event.provider === 'linear') {
    const state = event.attributes.stateType;
    return event.type === 'Issue' && event.action === 'update' && typeof state === 'string' && OPEN_LINEAR_STATES.has(state);
  }
  return false;
}

export function extractGraph(event: CanonicalEvent): MemoryGraphInput {
  const primary = event.primary;
  const entities: MemoryEntityInput[] = [];
  const edges: MemoryEdgeInput[] = [];
  if (!primary) return { entities: [...provenPeople(event), ...event.related.map(({ type, key }) => ({ type, key }))], edges, invalidate: [] };
  const linearId = event.provider === 'linear' && typeof event.attributes.linearId === 'string' ? event.attributes.linearId : undefined;
  entities.push({ ...primary, title: event.title, ...(linearId && primary.key !== `linear:issue:${linearId}` ? { aliases: [`linear:issue:${linearId}`] } : {}) });
  const joins: MemoryEdgeJoin[] = [];
  for (const item of event.related) {
    const ref = { type: item.type, key: item.key };
    entities.push(withShaAlias(ref));
    const edge = RELATION_EDGES[item.relation];
    if (edge) edges.push({ type: edge, from: primary, to: ref });
    const join = joinFor(primary, item.relation, ref);
    if (join) joins.push(join);
  }
  const repoKey = event.related.find((r) => r.type === 'repository')?.key;
  const repo = repoKey?.startsWith('github:') ? repoKey.slice('github:'.length) : undefined;
  // A merged PR settles its closing claims: from then on, a reopen of the issue contradicts them.
  const settled = event.type === 'pull_request' && event.attributes.merged === true;
  // Only a change (a PR, a commit) fixes anything; "fixes ENG-1" in a deployment's commit message is a reference.
  const closes = primary.type === 'pr' || primary.type === 'commit';
  const seen = new Set<string>();
  for (const found of textReferences(`${event.title}\n${event.body ?? ''}`, repo)) {
    const { ref } = found;
    const edge = closes ? found.edge : 'references';
    if (sameRef(ref, primary) || seen.has(`${edge}\u0000${ref.type}\u0000${ref.key}`)) continue;
    seen.add(`${edge}\u0000${ref.type}\u0000${ref.key}`);
    entities.push(withShaAlias(ref));
    edges.push({ type: edge, from: primary, to: ref, confidence: TEXT_REFERENCE_CONFIDENCE, ...(settled && CLOSING_EDGE_TYPES.includes(edge) ? { settled: true } : {}) });
  }
  return { entities: [...provenPeople(event), ...entities], edges: edges.slice(0, 100), invalidate: reopens(event) ? [{ types: CLOSING_EDGE_TYPES, to: primary }] : [], ...(joins.length ? { joins } : {}) };
}

/** The people the payload proves are one (an id and an email in one object): one entity, the other keys its aliases. */
function provenPeople(event: CanonicalEvent): MemoryEntityInput[] {
  return (event.samePerson ?? []).filter((keys) => keys.length >= 2).map((keys) => ({ type: 'person', key: keys[0]!, aliases: keys.slice(1) }));
}

/**
 * A commit named by its full SHA is also `sha:<sha>`: a Sentry release that is a bare SHA names it
 * without knowing the repository, and resolves to the same entity through the alias.
 */
function withShaAlias(ref: MemoryEntityRef): MemoryEntityInput {
  const sha = ref.type === 'commit' ? /@([0-9a-f]{40})$/.exec(ref.key)?.[1] : undefined;
  return sha ? { ...ref, aliases: [`sha:${sha}`] } : { ...ref };
}

/** The edge an event proves together with claims already stored about the same commit (docs/0022-memory.md). */
function joinFor(primary: MemoryEntityRef, relation: string, commit: MemoryEntityRef): MemoryEdgeJoin | undefined {
  if (commit.type !== 'commit') return undefined;
  // A deployment of a commit and the PR made of it: same_commit, from the deployment, whichever arrives first.
  if (primary.type === 'deployment' && relation === 'commit') return { type: 'same_commit', self: primary, selfIs: 'from', via: commit, viaEdgeTypes: CHANGE_COMMIT_EDGES };
  if (primary.type === 'pr' && (relation === 'merge_commit' || relation === 'head_commit')) return { type: 'same_commit', self: primary, selfIs: 'to', via: commit, viaEdgeTypes: ['deploys'] };
  // An error seen in a release that is a commit deployed before it: caused_by that deployment.
  if (primary.type === 'error' && relation === 'release_commit') return { type: 'caused_by', self: primary, selfIs: 'from', via: commit, viaEdgeTypes: ['deploys'], onlyEarlier: true, confidence: CAUSED_BY_CONFIDENCE };
  return undefined;
}
