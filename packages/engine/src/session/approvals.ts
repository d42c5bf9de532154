import { reject, type Admission } from '../core/admission.js';

/*
 * Tool approvals: per tool (or tool-name pattern) a policy in the session config.
 * - `always`: the call runs without asking (the default).
 * - `ask`: the call waits on an approval promise before it runs; approving starts it, denying
 *   finishes it with the denial as its result (the model sees it).
 * - `never`: the call is refused at once; its result says the tool is not allowed here.
 * The first rule whose pattern matches the tool's name wins; `default` applies otherwise.
 */

export const APPROVAL_POLICIES = ['always', 'ask', 'never'] as const;
export type ApprovalPolicy = (typeof APPROVAL_POLICIES)[number];

export interface ApprovalRule {
  /** A tool name, or a pattern where `*` matches any run of characters (`mcp__github__*`). */
  tool: string;
  policy: ApprovalPolicy;
}

export interface ApprovalRules {
  default?: ApprovalPolicy;
  rules?: ApprovalRule[];
}

export const MAX_APPROVAL_RULES = 256;

export const DENIED_RESULT_TEXT = 'The user denied this tool call. Do not retry it; continue without it or ask how to proceed.';

export function notAllowedResultText(name: string): string {
  return `Tool ${name} is not allowed in this session (approval policy: never). Continue without it.`;
}

/** The approval promise of a batch's call: ids are engine-made, deterministic and short. */
export function approvalPromiseId(batchId: string, index: number): string {
  return `approval_${batchId}_${index + 1}`;
}

function matches(pattern: string, name: string): boolean {
  if (!pattern.includes('*')) return pattern === name;
  const parts = pattern.split('*');
  let at = 0;
  for (const [i, part] of parts.entries()) {
    if (i === 0) {
      if (!name.startsWith(part)) return false;
      at = part.length;
      continue;
    }
    if (i === parts.length - 1) return name.length - at >= part.length && name.endsWith(part);
    const found = name.indexOf(part, at);
    if (found < 0) return false;
    at = found + part.length;
  }
  return true;
}

export function approvalPolicyOf(rules: ApprovalRules | undefined, toolName: string): ApprovalPolicy {
  if (!rules) return 'always';
  for (const rule of rules.rules ?? []) if (matches(rule.tool, toolName)) return rule.policy;
  return rules.default ?? 'always';
}

function isPolicy(value: unknown): value is ApprovalPolicy {
  return typeof value === 'string' && (APPROVAL_POLICIES as readonly string[]).includes(value);
}

export function validateApprovals(value: unknown, path: string): Admission | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return reject('invalid', `${path}: expected {default?, rules?}`, { path });
  const approvals = value as Record<string, unknown>;
  for (const key of Object.keys(approvals)) {
    if (key !== 'default' && key !== 'rules') return reject('invalid', `${path}.${key}: unknown field`, { path: `${path}.${key}` });
  }
  if (approvals.default !== undefined && !isPolicy(approvals.default)) return reject('invalid', `${path}.default: expected one of ${APPROVAL_POLICIES.join(', ')}`, { path: `${path}.default` });
  if (approvals.rules === undefined) return undefined;
  if (!Array.isArray(approvals.rules) || approvals.rules.length > MAX_APPROVAL_RULES) return reject('invalid', `${path}.rules: expected a list of at most ${MAX_APPROVAL_RULES} rules`, { path: `${path}.rules` });
  for (const [i, rule] of approvals.rules.entries()) {
    const at = `${path}.rules[${i}]`;
    if (typeof rule !== 'object' || rule === null) return reject('invalid', `${at}: expected {tool, policy}`, { path: at });
    const { tool, policy } = rule as Record<string, unknown>;
    if (typeof tool !== 'string' || tool.length === 0 || tool.length > 256) return reject('invalid', `${at}.tool: expected a tool name or pattern (1-256 characters)`, { path: `${at}.tool` });
    if (!isPolicy(policy)) return reject('invalid', `${at}.policy: expected one of ${APPROVAL_POLICIES.join(', ')}`, { path: `${at}.policy` });
  }
  return undefined;
}
