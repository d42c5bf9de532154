import { delegateConfigSchema } from '@lightspeed/tools';
import { API_KINDS, type ApiKind } from '@lightspeed/engine';
import { REASONING_EFFORTS } from '@lightspeed/llm';
import { ScriptExecutorConfig } from '@lightspeed/ops';
import { z } from 'zod';

/*
 * The front matter of an agent file. Every object is strict: an unknown (say, misspelled) field is
 * an error naming it. Fields the harness defines but does not act on yet are listed explicitly and
 * refused with a message saying so, never accepted and ignored.
 */

/** Agent names: what `--agent NAME` and the file name `NAME.md` use. */
export const AGENT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** Refuses a field that is reserved for a later feature (the problem names the field itself). */
const later = (note?: string) => z.never({ error: `not supported yet${note ? ` (${note})` : ''}; remove the field` }).optional();

const positiveInt = () => z.number({ error: 'expected a positive integer' }).int('expected a positive integer').positive('expected a positive integer');
const absolutePath = () => z.string().regex(/^\//, 'expected an absolute path such as /workspace');
const names = () => z.array(z.string().min(1)).min(1, 'expected a non-empty list').max(256);

export const AgentModel = z.strictObject({
  providerId: z.string().min(1, 'expected a provider id such as openai, anthropic or fake'),
  apiKind: z.enum(API_KINDS as unknown as [ApiKind, ...ApiKind[]], { error: `expected one of ${API_KINDS.join(', ')}` }),
  model: z.string().min(1, 'expected a model id'),
});

export const AgentGeneration = z.strictObject({
  maxOutputTokens: positiveInt().optional(),
  reasoningEffort: z.enum(REASONING_EFFORTS, { error: `expected one of ${REASONING_EFFORTS.join(', ')}` }).optional(),
  parallelToolUse: z.boolean().optional(),
  toolChoice: z
    .union([z.enum(['auto', 'none', 'required']), z.strictObject({ tool: z.string().min(1) })], { error: 'expected auto, none, required or {tool: NAME}' })
    .optional(),
  processingTier: later(),
});

export const AgentMount = z
  .strictObject({
    path: absolutePath(),
    workspace: z.string().min(1).optional(),
    snapshot: z.string().regex(/^sha256:[0-9a-f]{64}$/, 'expected a snapshot ref sha256:<64 hex digits>').optional(),
    access: z.enum(['readOnly', 'readWrite']).default('readWrite'),
  })
  .refine((mount) => (mount.workspace === undefined) !== (mount.snapshot === undefined), { message: 'a mount needs exactly one of workspace (an id) or snapshot (a ref)' });

export const AgentFiles = z.strictObject({
  access: z.enum(['readOnly', 'edit']).default('edit'),
  mounts: z.array(AgentMount).max(64).default([]),
});

export const AgentHostTools = z.strictObject({
  root: absolutePath(),
  mountPath: absolutePath().optional(),
  readOnly: z.boolean().optional(),
  exec: z.boolean().optional(),
  defaultTimeoutMs: positiveInt().optional(),
  maxTimeoutMs: positiveInt().optional(),
  maxOutputBytes: positiveInt().optional(),
  env: z.record(z.string(), z.string()).optional(),
});

export const AgentMcpServer = z.strictObject({
  server: z.string().min(1, 'expected an MCP server id'),
  allowedTools: names().optional(),
  approval: later(),
  deferLoading: later(),
});

const roots = () => z.union([z.literal(true), z.strictObject({ roots: z.array(absolutePath()).min(1, 'expected a non-empty list').max(64) })], { error: 'expected true or {roots: [PATH, …]}' });

export const AgentTools = z.strictObject({
  files: AgentFiles.optional(),
  host: AgentHostTools.optional(),
  web: z.strictObject({ fetch: z.boolean().optional(), search: later() }).optional(),
  mcp: z.array(AgentMcpServer).max(64).optional(),
  skills: roots().optional(),
  prompts: roots().optional(),
  /** `sleep` and `wait_until`: durable timers. */
  timers: z.boolean().optional(),
  /** `ask_user`: the run waits for a person's answer (`lightspeed waits answer`). */
  askUser: z.boolean().optional(),
  /** The memory tools: true (all three), or `{tools: [memory_search, memory_get, memory_related]}` (some). */
  memory: z
    .union([z.boolean(), z.strictObject({ tools: z.array(z.enum(['memory_search', 'memory_get', 'memory_related'], { error: 'expected memory_search, memory_get or memory_related' })).min(1, 'expected a non-empty list').max(3) })], {
      error: 'expected true or {tools: [memory_search, memory_get, memory_related]}',
    })
    .optional(),
  /** Sub-agents (`spawn_agent`, `await_agent`…): true, or which agents may be spawned and the limits. */
  agents: z
    .union([
      z.boolean(),
      z.strictObject({
        allow: z.array(z.string().min(1).max(256)).max(256).optional(),
        deny: z.array(z.string().min(1).max(256)).max(256).optional(),
        fork: z.boolean().optional(),
        maxDepth: z.number().int().min(1).max(8).optional(),
        maxChildren: z.number().int().min(1).max(100).optional(),
      }),
    ])
    .optional(),
  /** Coding-agent CLIs the `delegate` tool may hand tasks to (docs/0026): one, or a list (one per CLI). Needs `host`. */
  delegate: z.union([delegateConfigSchema, z.array(delegateConfigSchema).min(1).max(2)]).optional(),
});

const AgentBudgets = {
  maxTurns: positiveInt().optional(),
  maxToolRounds: positiveInt().optional(),
  /** Cumulative output tokens of a run (not the per-generation cap in `generation`). */
  maxOutputTokens: positiveInt().optional(),
  /** Cumulative input + cached + cache-write + output tokens. */
  tokenBudget: positiveInt().optional(),
  /** Cumulative cost in USD; the model must have prices. */
  costBudgetUsd: z.number({ error: 'expected a positive number of US dollars' }).positive('expected a positive number of US dollars').optional(),
};

export const AgentLimits = z.strictObject({
  ...AgentBudgets,
  /** The same budgets across the whole session (all its runs). */
  session: z.strictObject(AgentBudgets).optional(),
});

export const AgentCompaction = z.discriminatedUnion(
  'mode',
  [z.strictObject({ mode: z.literal('disabled') }), z.strictObject({ mode: z.literal('auto'), thresholdTokens: positiveInt().optional() })],
  { error: 'expected mode: auto (with an optional thresholdTokens) or mode: disabled' },
);

const approvalPolicy = () => z.enum(['always', 'ask', 'never'], { error: 'expected always (run without asking), ask (wait for approval) or never (refuse)' });

/** Which tool calls wait for a person's approval: the first rule whose tool name or `*` pattern matches wins. */
export const AgentApprovals = z.strictObject({
  default: approvalPolicy().optional(),
  rules: z.array(z.strictObject({ tool: z.string().min(1, 'expected a tool name or pattern such as mcp__github__*').max(256), policy: approvalPolicy() })).max(256).optional(),
});

/** How the agent runs queued tasks (docs/agents.md, "Tasks"; docs/0019-task-queue.md, "Task templates"). */
export const AgentTask = z.strictObject({
  /** A JSON Schema every task payload must satisfy (tasks/create refuses others). */
  schema: z.record(z.string(), z.unknown(), { error: 'expected a JSON Schema object (type, properties, required, …)' }).optional(),
  template: z.string().min(1, 'expected a template with {{payload}} or {{task.…}} placeholders').max(64 * 1024).optional(),
  requiredArtifacts: z.array(absolutePath()).min(1, 'expected a non-empty list').max(64).optional(),
  /** A script executor instead of an agent run (docs/tasks.md, "Script tasks"). */
  executor: ScriptExecutorConfig.optional(),
});

export const AgentFrontMatter = z.strictObject({
  name: z.string().regex(AGENT_NAME, 'expected 1-64 characters of [A-Za-z0-9._-], starting with a letter or digit').optional(),
  displayName: z.string().min(1).max(256).optional(),
  description: z.string().min(1).max(4096).optional(),
  model: AgentModel.optional(),
  generation: AgentGeneration.optional(),
  tools: AgentTools.optional(),
  limits: AgentLimits.optional(),
  compaction: AgentCompaction.optional(),
  approvals: AgentApprovals.optional(),
  task: AgentTask.optional(),
  subagents: later('sub-agents are tools.agents'),
  fleet: later('sub-agents are tools.agents'),
  environment: later(),
  environments: later(),
});
export type AgentFrontMatter = z.infer<typeof AgentFrontMatter>;

/** A parsed, valid agent definition: its front matter and its instructions (the Markdown body). */
export interface AgentDefinition extends AgentFrontMatter {
  name: string;
  instructions: string;
  /** The file it came from, when it came from one. */
  file?: string;
}
