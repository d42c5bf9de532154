import { REASONING_EFFORTS } from '@lightspeed/llm';
import { delegateConfigSchema } from '@lightspeed/tools';
import { z } from 'zod';
import { cappedArray, MAX_CONFIG_LIST_ITEMS, MAX_MCP_SERVERS, MAX_WORKSPACE_LINKS } from './limits.js';
import { named, uint } from './registry.js';

/*
 * The declared session configuration document. Sparse and capability-oriented: an omitted section
 * means defaults, an absent feature is not granted. Objects are strict (the contract sets
 * `additionalProperties: false`) because the document is echoed back exactly as stored.
 */

export const ModelConfig = named('ModelConfig', z.object({ providerId: z.string(), apiKind: z.string(), model: z.string() }));
export type ModelConfig = z.infer<typeof ModelConfig>;

export const CompactionPolicy = named(
  'CompactionPolicy',
  z.discriminatedUnion('mode', [
    z.object({ mode: z.literal('disabled') }),
    z.object({ mode: z.literal('providerTriggered'), compact_threshold_tokens: uint().nullish() }),
    z.object({ mode: z.literal('providerStandalone'), compact_threshold_tokens: uint().nullish(), target_tokens: uint().nullish() }),
  ]),
);
export const ContextConfig = named('ContextConfig', z.strictObject({ compaction: CompactionPolicy.nullish() }));

export const ToolChoice = named(
  'ToolChoice',
  z.discriminatedUnion('type', [
    z.object({ type: z.literal('auto') }),
    z.object({ type: z.literal('none') }),
    z.object({ type: z.literal('requiredAny') }),
    z.object({ type: z.literal('specific'), toolId: z.string() }),
  ]),
);
export const ModelProcessingTier = named('ModelProcessingTier', z.enum(['standard', 'fast', 'flex']));
export const GenerationConfig = named(
  'GenerationConfig',
  z.strictObject({
    maxOutputTokens: uint().nullish(),
    parallelToolUse: z.boolean().nullish(),
    processingTier: ModelProcessingTier.nullish(),
    // One portable vocabulary every adapter maps (docs/0014); another value is refused here, not sent to fail later.
    reasoningEffort: z.enum(REASONING_EFFORTS, { error: `expected one of ${REASONING_EFFORTS.join(', ')}` }).nullish(),
    toolChoice: ToolChoice.nullish(),
  }),
);
/**
 * Lightspeed extension (the v1 contract has maxTurns and maxToolRounds only): cumulative output
 * tokens, a token budget (input + cached + cache-write + output) and a cost budget in USD, which
 * needs a priced model. Exceeding one fails the run with the limit, its scope and the figures.
 */
const budgetFields = {
  maxToolRounds: uint().nullish(),
  maxTurns: uint().nullish(),
  maxOutputTokens: uint().nullish().describe('Lightspeed extension: cumulative output tokens (not the per-generation cap).'),
  tokenBudget: uint().nullish().describe('Lightspeed extension: cumulative input + cached + cache-write + output tokens.'),
  costBudgetUsd: z.number().positive().nullish().describe('Lightspeed extension: cumulative cost in USD; refused on a model without prices.'),
};
export const SessionBudgetsConfig = named('SessionBudgetsConfig', z.strictObject(budgetFields), 'Lightspeed extension: budgets of the whole session, across its runs.');
export const LimitsConfig = named(
  'LimitsConfig',
  z.strictObject({ ...budgetFields, session: SessionBudgetsConfig.nullish().describe('Lightspeed extension: session-wide budgets.') }),
  'Per-run defaults at the top level; session-wide budgets under `session`.',
);

const version = () => uint().default(1);
/** A list of names (providers, profiles, tools, roots, domains). */
const names = () => cappedArray(z.string(), MAX_CONFIG_LIST_ITEMS);

export const EnvironmentsFeature = named(
  'EnvironmentsFeature',
  z.strictObject({
    jobs: z.boolean().default(false),
    providers: names().nullish(),
    selectionTools: z.boolean().default(false),
    version: version(),
  }),
);
export const FleetFeature = named(
  'FleetFeature',
  z.strictObject({
    profiles: z
      .strictObject({ allow: names().nullish(), deny: names().optional(), inline: z.boolean().nullish() })
      .nullish(),
    spawn: z.strictObject({ bases: cappedArray(z.enum(['self', 'session', 'profile']), MAX_CONFIG_LIST_ITEMS).nullish() }).nullish(),
    version: version(),
    maxDepth: z.number().int().min(1).max(8).nullish().describe('Lightspeed extension: how deep sub-agents may nest (default 2).'),
    maxChildren: z.number().int().min(1).max(100).nullish().describe('Lightspeed extension: how many sub-agents one session may spawn (default 8).'),
  }),
  'Grants the sub-agent tools spawn_agent, send_to_agent, await_agent, list_agents and cancel_agent.',
);
export const RemoteMcpApprovalPolicy = named('RemoteMcpApprovalPolicy', z.enum(['providerDefault', 'always', 'never']));
export const McpServerLink = named(
  'McpServerLink',
  z.strictObject({
    serverId: z.string(),
    allowedTools: names().nullish(),
    approval: RemoteMcpApprovalPolicy.nullish(),
    deferLoading: z.boolean().nullish(),
  }),
);
export const McpFeature = named('McpFeature', z.strictObject({ servers: cappedArray(McpServerLink, MAX_MCP_SERVERS).optional(), version: version() }));
export const TimersFeature = named('TimersFeature', z.strictObject({ version: version() }), 'The sleep and wait_until tools: durable timers the host fires at the deadline.');
export const AskUserFeature = named(
  'AskUserFeature',
  z.strictObject({ version: version() }),
  'Lightspeed extension: the ask_user tool; the run waits until the question is answered through session/waits/resolve.',
);

export const WorkspaceLinkTarget = named(
  'WorkspaceLinkTarget',
  z.discriminatedUnion('type', [
    z.object({ type: z.literal('workspace'), workspaceId: z.string() }),
    z.object({ type: z.literal('snapshot'), snapshotRef: z.string() }),
  ]),
);
export const WorkspaceLink = named(
  'WorkspaceLink',
  z.strictObject({ path: z.string(), target: WorkspaceLinkTarget, access: z.enum(['readOnly', 'readWrite']) }),
);
const roots = () => z.strictObject({ roots: names().nullish() });
export const VfsFeature = named(
  'VfsFeature',
  z.strictObject({
    prompts: roots().nullish(),
    skills: roots().nullish(),
    tools: z.enum(['readOnly', 'edit']).nullish(),
    version: version(),
    workspaceLinks: cappedArray(WorkspaceLink, MAX_WORKSPACE_LINKS).optional(),
  }),
);
export const WebFeature = named(
  'WebFeature',
  z.strictObject({
    fetch: z.strictObject({}).nullish(),
    search: z
      .strictObject({ allowedDomains: names().nullish(), blockedDomains: names().optional() })
      .nullish(),
    version: version(),
  }),
);

/**
 * Lightspeed extension (not in the v1 contract): a host directory the session may read, write and
 * run commands in. Servers refuse it unless started with host tools enabled, which is only
 * possible in single-user mode.
 */
export const HostFeature = named(
  'HostFeature',
  z.strictObject({
    root: z.string().min(1).describe('Absolute directory on the server machine.'),
    mountPath: z.string().optional(),
    readOnly: z.boolean().optional(),
    exec: z.boolean().optional(),
    defaultTimeoutMs: uint().optional(),
    maxTimeoutMs: uint().optional(),
    maxOutputBytes: uint().optional(),
    env: z.record(z.string(), z.string()).optional(),
  }),
  'Lightspeed extension: host directory access and command execution (single-user servers only).',
);

/** Lightspeed extension (issue 17): the memory tools over the universe's memory (docs/0022-memory.md). */
export const MemoryFeature = named(
  'MemoryFeature',
  z.strictObject({
    tools: z
      .array(z.enum(['memory_search', 'memory_get', 'memory_related']))
      .min(1)
      .max(3)
      .nullish()
      .describe('The memory tools granted; all three when absent.'),
    version: version(),
  }),
  'Lightspeed extension: memory_search, memory_get and memory_related over the universe\'s memory; servers without a memory store refuse it.',
);

/**
 * Lightspeed extension (docs/0026): the `delegate` tool's coding-agent CLIs, one entry per CLI.
 * It needs `host` (the directory the agent works in) and a server with delegate endpoints.
 */
export const DelegateFeature = named(
  'DelegateFeature',
  z.strictObject({
    clis: z.array(named('DelegateCliConfig', delegateConfigSchema, 'One coding-agent CLI: cli, model, allowedTools (Claude Code), network, credentialsEnv (env var names), maxTurns, timeoutMs.')).min(1).max(2),
  }),
  'Lightspeed extension: hand tasks to Claude Code or Codex working in the host directory (delegate tool).',
);

export const FeaturesConfig = named(
  'FeaturesConfig',
  z.strictObject({
    environments: EnvironmentsFeature.nullish(),
    fleet: FleetFeature.nullish(),
    mcp: McpFeature.nullish(),
    timers: TimersFeature.nullish(),
    askUser: AskUserFeature.nullish(),
    vfs: VfsFeature.nullish(),
    web: WebFeature.nullish(),
    host: HostFeature.nullish(),
    memory: MemoryFeature.nullish(),
    delegate: DelegateFeature.nullish(),
  }),
);

export const ApprovalPolicy = named('ApprovalPolicy', z.enum(['always', 'ask', 'never']), 'always: runs without asking; ask: waits for approval (session/waits/*); never: refused.');
export const ApprovalsConfig = named(
  'ApprovalsConfig',
  z.strictObject({
    default: ApprovalPolicy.nullish().describe('For tools no rule matches (default: always).'),
    rules: cappedArray(z.strictObject({ tool: z.string().min(1).max(256).describe('A tool name, or a pattern with * (mcp__github__*).'), policy: ApprovalPolicy }), 256)
      .nullish()
      .describe('The first rule matching the tool name wins.'),
  }),
  'Lightspeed extension: which tool calls wait for a person\'s approval, run freely, or are refused.',
);

export const SessionConfig = named(
  'SessionConfig',
  z.strictObject({
    approvals: ApprovalsConfig.nullish(),
    context: ContextConfig.nullish(),
    features: FeaturesConfig.nullish(),
    generation: GenerationConfig.nullish(),
    limits: LimitsConfig.nullish(),
    model: ModelConfig.nullish(),
  }),
  'Declared session configuration document; reads return exactly the stored document.',
);
export type SessionConfig = z.infer<typeof SessionConfig>;

export const RunLimitsConfig = named('RunLimitsConfig', z.object(budgetFields));
export const RunStartConfig = named(
  'RunStartConfig',
  z.object({ generation: GenerationConfig.nullish(), limits: RunLimitsConfig.nullish(), model: ModelConfig.nullish() }),
);
export type RunStartConfig = z.infer<typeof RunStartConfig>;
