import { z } from 'zod';
import type { MemoryAttribute, SignificanceFactor } from '@lightspeed/ports';
import type { CanonicalEvent } from './canonical-event.js';

/*
 * Significance: 0-100, the sum of the rules that apply, each kept as a factor so a reader sees why.
 * The rules are data (DEFAULT_SIGNIFICANCE_RULES, tabled in docs/0022-memory.md); a universe may
 * pass its own table. Kinds:
 * - `type`: the event-type weight; `match` is `provider:type` or `provider:type.action`, and only the
 *   most specific matching rule counts (`.action` beats bare type beats `*`).
 * - `text`: a case-insensitive pattern over title and body (security, incident, revert…).
 * - `attribute`: an attribute equal to one of the values (a failed check, a production deploy).
 * - `references`: points per issue/PR/ticket reference in the text, up to `max`.
 * - `size`: the sum of the named numeric attributes is at least `atLeast` (lines changed).
 */

export const SignificanceRuleSchema = z.discriminatedUnion('kind', [
  z.object({ rule: z.string().min(1), kind: z.literal('type'), match: z.string().min(1), points: z.number().int().min(-100).max(100) }),
  z.object({ rule: z.string().min(1), kind: z.literal('text'), pattern: z.string().min(1).max(512), points: z.number().int().min(-100).max(100) }),
  z.object({
    rule: z.string().min(1),
    kind: z.literal('attribute'),
    attribute: z.string().min(1),
    equals: z.array(z.union([z.string(), z.number(), z.boolean(), z.null()])).min(1),
    points: z.number().int().min(-100).max(100),
  }),
  z.object({ rule: z.string().min(1), kind: z.literal('references'), pointsEach: z.number().int().min(0).max(100), max: z.number().int().min(0).max(100) }),
  z.object({ rule: z.string().min(1), kind: z.literal('size'), attributes: z.array(z.string().min(1)).min(1), atLeast: z.number().min(0), points: z.number().int().min(-100).max(100) }),
]);
export type SignificanceRule = z.infer<typeof SignificanceRuleSchema>;
export const SignificanceRulesSchema = z.array(SignificanceRuleSchema).max(500);

export const DEFAULT_SIGNIFICANCE_RULES: readonly SignificanceRule[] = [
  { rule: 'type:default', kind: 'type', match: '*', points: 10 },
  { rule: 'type:pr-opened', kind: 'type', match: 'github:pull_request.opened', points: 30 },
  { rule: 'type:pr-merged', kind: 'type', match: 'github:pull_request.merged', points: 45 },
  { rule: 'type:pr-closed', kind: 'type', match: 'github:pull_request.closed', points: 20 },
  { rule: 'type:pr-reopened', kind: 'type', match: 'github:pull_request.reopened', points: 30 },
  { rule: 'type:pr-other', kind: 'type', match: 'github:pull_request', points: 15 },
  { rule: 'type:issue-opened', kind: 'type', match: 'github:issues.opened', points: 30 },
  { rule: 'type:issue-closed', kind: 'type', match: 'github:issues.closed', points: 25 },
  { rule: 'type:issue-reopened', kind: 'type', match: 'github:issues.reopened', points: 35 },
  { rule: 'type:issue-other', kind: 'type', match: 'github:issues', points: 15 },
  { rule: 'type:comment', kind: 'type', match: 'github:issue_comment', points: 10 },
  { rule: 'type:push', kind: 'type', match: 'github:push', points: 15 },
  { rule: 'type:release', kind: 'type', match: 'github:release.published', points: 50 },
  { rule: 'type:release-other', kind: 'type', match: 'github:release', points: 20 },
  { rule: 'type:deployment', kind: 'type', match: 'github:deployment_status', points: 30 },
  { rule: 'type:workflow', kind: 'type', match: 'github:workflow_run', points: 10 },
  { rule: 'type:check', kind: 'type', match: 'github:check_run', points: 5 },
  { rule: 'type:sentry', kind: 'type', match: 'sentry:*', points: 40 },
  { rule: 'type:sentry-issue-new', kind: 'type', match: 'sentry:issue.created', points: 50 },
  { rule: 'type:sentry-issue-resolved', kind: 'type', match: 'sentry:issue.resolved', points: 25 },
  { rule: 'type:sentry-metric-critical', kind: 'type', match: 'sentry:metric_alert.critical', points: 55 },
  { rule: 'type:vercel', kind: 'type', match: 'vercel:*', points: 15 },
  { rule: 'type:vercel-deployed', kind: 'type', match: 'vercel:deployment.succeeded', points: 30 },
  { rule: 'type:vercel-failed', kind: 'type', match: 'vercel:deployment.error', points: 30 },
  { rule: 'type:linear', kind: 'type', match: 'linear:*', points: 15 },
  { rule: 'type:linear-issue-created', kind: 'type', match: 'linear:Issue.create', points: 30 },
  { rule: 'type:linear-issue-updated', kind: 'type', match: 'linear:Issue.update', points: 20 },
  { rule: 'signal:security', kind: 'text', pattern: '\\b(security|vulnerab\\w*|cve-\\d{4}-\\d+|exploit|leak(ed)?)\\b', points: 25 },
  { rule: 'signal:incident', kind: 'text', pattern: '\\b(incident|outage|sev[ -]?[0-2]|p0|down(time)?)\\b', points: 25 },
  { rule: 'signal:revert', kind: 'text', pattern: '\\brevert(s|ed)?\\b', points: 20 },
  { rule: 'signal:hotfix', kind: 'text', pattern: '\\b(hotfix|rollback|roll back)\\b', points: 15 },
  { rule: 'signal:breaking', kind: 'text', pattern: '\\bbreaking change\\b', points: 15 },
  { rule: 'outcome:failure', kind: 'attribute', attribute: 'conclusion', equals: ['failure', 'timed_out'], points: 20 },
  { rule: 'outcome:deploy-failure', kind: 'attribute', attribute: 'state', equals: ['failure', 'error'], points: 25 },
  { rule: 'level:fatal', kind: 'attribute', attribute: 'level', equals: ['fatal'], points: 20 },
  { rule: 'priority:urgent', kind: 'attribute', attribute: 'priority', equals: [1], points: 15 },
  { rule: 'target:production', kind: 'attribute', attribute: 'environment', equals: ['production', 'prod'], points: 10 },
  { rule: 'references', kind: 'references', pointsEach: 3, max: 15 },
  { rule: 'size:large', kind: 'size', attributes: ['additions', 'deletions'], atLeast: 500, points: 10 },
  { rule: 'size:medium', kind: 'size', attributes: ['additions', 'deletions'], atLeast: 50, points: 5 },
];

/** `#123`, `owner/repo#123`, `ENG-42`: what the graph will resolve later; here only counted. */
const REFERENCE = /(?:\b[\w.-]+\/[\w.-]+)?#\d+\b|\b[A-Z][A-Z0-9]{1,9}-\d+\b/g;

/** `#7` is PR `github:o/r#7` itself (not `#17`'s); `ENG-1` is `linear:ENG-1` (not `linear:BENG-1`). */
function isOwn(own: string | undefined, ref: string): boolean {
  if (own === undefined || !own.endsWith(ref)) return false;
  const before = own.charAt(own.length - ref.length - 1);
  return ref.startsWith('#') ? !/[0-9]/.test(before) : before === ':' || before === '/';
}

const compiled = new WeakMap<SignificanceRule, RegExp>();

function patternOf(rule: Extract<SignificanceRule, { kind: 'text' }>): RegExp {
  let re = compiled.get(rule);
  if (!re) {
    re = new RegExp(rule.pattern, 'i');
    compiled.set(rule, re);
  }
  return re;
}

function specificity(match: string, event: CanonicalEvent): number {
  if (match === '*') return 1;
  if (match === `${event.provider}:*`) return 2;
  if (match === `${event.provider}:${event.type}`) return 3;
  if (event.action !== undefined && match === `${event.provider}:${event.type}.${event.action}`) return 4;
  return 0;
}

export function scoreSignificance(event: CanonicalEvent, rules: readonly SignificanceRule[] = DEFAULT_SIGNIFICANCE_RULES): { significance: number; factors: SignificanceFactor[] } {
  const factors: SignificanceFactor[] = [];
  let typeRule: { rule: string; points: number; rank: number } | undefined;
  const text = `${event.title}\n${event.body ?? ''}`;
  // Size rules are tiered: only the largest threshold reached counts.
  let sizeRule: { rule: string; points: number; atLeast: number } | undefined;
  for (const rule of rules) {
    switch (rule.kind) {
      case 'type': {
        const rank = specificity(rule.match, event);
        if (rank > 0 && (!typeRule || rank > typeRule.rank)) typeRule = { rule: rule.rule, points: rule.points, rank };
        break;
      }
      case 'text':
        if (patternOf(rule).test(text)) factors.push({ rule: rule.rule, points: rule.points });
        break;
      case 'attribute': {
        const value: MemoryAttribute | undefined = event.attributes[rule.attribute];
        if (value !== undefined && rule.equals.includes(value)) factors.push({ rule: rule.rule, points: rule.points });
        break;
      }
      case 'references': {
        // The event's own object (`ENG-1` in its own title, `#7` of PR 7) is not a reference.
        const own = event.primary?.key;
        const count = [...new Set(text.match(REFERENCE) ?? [])].filter((ref) => !isOwn(own, ref)).length;
        const points = Math.min(rule.max, count * rule.pointsEach);
        if (points > 0) factors.push({ rule: rule.rule, points });
        break;
      }
      case 'size': {
        const total = rule.attributes.reduce((sum, name) => sum + (typeof event.attributes[name] === 'number' ? (event.attributes[name] as number) : 0), 0);
        if (total >= rule.atLeast && (!sizeRule || rule.atLeast > sizeRule.atLeast)) sizeRule = { rule: rule.rule, points: rule.points, atLeast: rule.atLeast };
        break;
      }
    }
  }
  if (sizeRule) factors.push({ rule: sizeRule.rule, points: sizeRule.points });
  if (typeRule) factors.unshift({ rule: typeRule.rule, points: typeRule.points });
  const total = factors.reduce((sum, f) => sum + f.points, 0);
  return { significance: Math.max(0, Math.min(100, Math.round(total))), factors };
}
