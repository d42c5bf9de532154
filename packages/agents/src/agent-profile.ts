import { AgentProfileInput, unsupportedConfigFields, type SessionConfig } from '@lightspeed/api';
import { LightspeedError } from '@lightspeed/ports';
import type { AgentDefinition } from './agent-schema.js';

type Features = NonNullable<SessionConfig['features']>;
type Vfs = NonNullable<Features['vfs']>;

function features(tools: AgentDefinition['tools']): Features | undefined {
  if (!tools) return undefined;
  const out: Features = {};
  if (tools.files || tools.skills || tools.prompts) {
    const vfs: Vfs = { version: 1 };
    if (tools.files) {
      vfs.tools = tools.files.access;
      vfs.workspaceLinks = tools.files.mounts.map((mount) => ({
        path: mount.path,
        target: mount.workspace !== undefined ? { type: 'workspace' as const, workspaceId: mount.workspace } : { type: 'snapshot' as const, snapshotRef: mount.snapshot! },
        access: mount.access,
      }));
    }
    if (tools.skills) vfs.skills = tools.skills === true ? {} : { roots: tools.skills.roots };
    if (tools.prompts) vfs.prompts = tools.prompts === true ? {} : { roots: tools.prompts.roots };
    out.vfs = vfs;
  }
  if (tools.host) out.host = tools.host;
  if (tools.web?.fetch) out.web = { fetch: {}, version: 1 };
  if (tools.timers) out.timers = { version: 1 };
  if (tools.askUser) out.askUser = { version: 1 };
  if (tools.agents) out.fleet = fleetFeature(tools.agents);
  if (tools.memory) out.memory = tools.memory === true ? { version: 1 } : { version: 1, tools: [...new Set(tools.memory.tools)] };
  if (tools.delegate) out.delegate = { clis: Array.isArray(tools.delegate) ? tools.delegate : [tools.delegate] };
  if (tools.mcp && tools.mcp.length > 0) {
    out.mcp = { version: 1, servers: tools.mcp.map((server) => ({ serverId: server.server, ...(server.allowedTools ? { allowedTools: server.allowedTools } : {}) })) };
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/** `tools.agents` as the contract's FleetFeature (`fork: false` leaves only named agents as spawn bases). */
function fleetFeature(agents: NonNullable<NonNullable<AgentDefinition['tools']>['agents']>): NonNullable<Features['fleet']> {
  if (typeof agents === 'boolean') return { version: 1 };
  const fleet: NonNullable<Features['fleet']> = { version: 1 };
  if (agents.allow || agents.deny) fleet.profiles = { ...(agents.allow ? { allow: agents.allow } : {}), ...(agents.deny ? { deny: agents.deny } : {}) };
  if (agents.fork === false) fleet.spawn = { bases: ['profile'] };
  if (agents.maxDepth !== undefined) fleet.maxDepth = agents.maxDepth;
  if (agents.maxChildren !== undefined) fleet.maxChildren = agents.maxChildren;
  return fleet;
}

/** The session config an agent definition stands for, in the API's (v1 contract) document form. */
export function agentSessionConfig(agent: AgentDefinition): SessionConfig {
  const config: SessionConfig = {};
  if (agent.approvals) config.approvals = { ...(agent.approvals.default ? { default: agent.approvals.default } : {}), ...(agent.approvals.rules ? { rules: agent.approvals.rules.map((r) => ({ ...r })) } : {}) };
  if (agent.model) config.model = { ...agent.model };
  const g = agent.generation;
  if (g) {
    const generation: NonNullable<SessionConfig['generation']> = {};
    if (g.maxOutputTokens !== undefined) generation.maxOutputTokens = g.maxOutputTokens;
    if (g.reasoningEffort !== undefined) generation.reasoningEffort = g.reasoningEffort;
    if (g.parallelToolUse !== undefined) generation.parallelToolUse = g.parallelToolUse;
    const choice = g.toolChoice;
    if (choice !== undefined) {
      generation.toolChoice = typeof choice === 'object' ? { type: 'specific', toolId: choice.tool } : choice === 'required' ? { type: 'requiredAny' } : { type: choice };
    }
    if (Object.keys(generation).length > 0) config.generation = generation;
  }
  if (agent.limits && Object.keys(agent.limits).length > 0) config.limits = { ...agent.limits, ...(agent.limits.session ? { session: { ...agent.limits.session } } : {}) };
  const compaction = agent.compaction;
  if (compaction) {
    config.context = {
      compaction:
        compaction.mode === 'disabled'
          ? { mode: 'disabled' }
          : { mode: 'providerTriggered', ...(compaction.thresholdTokens !== undefined ? { compact_threshold_tokens: compaction.thresholdTokens } : {}) },
    };
  }
  const granted = features(agent.tools);
  if (granted) config.features = granted;
  return config;
}

/**
 * The agent as the API's profile document (`profiles/put`): id = name, the body as text
 * instructions. Checked against the API's own schema, so what validates offline is what a server
 * accepts (apart from server policy such as host tools).
 */
export function agentProfile(agent: AgentDefinition): AgentProfileInput {
  const profile: AgentProfileInput = { profileId: agent.name };
  if (agent.displayName) profile.displayName = agent.displayName;
  if (agent.description) profile.description = agent.description;
  const config = agentSessionConfig(agent);
  if (Object.keys(config).length > 0) profile.config = config;
  if (agent.instructions) profile.instructions = { type: 'text', text: agent.instructions };
  if (agent.task) {
    profile.task = {
      ...(agent.task.schema ? { schema: agent.task.schema } : {}),
      ...(agent.task.template ? { template: agent.task.template } : {}),
      ...(agent.task.requiredArtifacts ? { requiredArtifacts: [...agent.task.requiredArtifacts] } : {}),
      ...(agent.task.executor ? { executor: agent.task.executor } : {}),
    };
  }
  const checked = AgentProfileInput.safeParse(profile);
  const inert = unsupportedConfigFields(profile.config).map((field) => field.path);
  if (!checked.success || inert.length > 0) {
    // The front matter schema is stricter than the API's; reaching this is a bug in the mapping.
    throw new LightspeedError('internal', `agent ${agent.name} compiled to a profile the API would refuse (${checked.success ? inert.join(', ') : checked.error.message}); please report this`);
  }
  return checked.data;
}
