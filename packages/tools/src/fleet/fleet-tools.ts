import { putText } from '@lightspeed/cas';
import { CHILD_RUN_EFFECT, findRun, isChildSessionOf, preview, type ChildState, type ContextPutEntry, type SessionConfig, type SessionState } from '@lightspeed/engine';
import type { SessionDirectory } from '@lightspeed/ports';
import { defineTool, objectSchema, type ProviderTool } from '../surfaces/provider-tool.js';
import type { LogicalTool, ToolEnv, ToolResult } from '../tool-definition.js';
import { field, ToolInputError } from '../tool-input.js';
import { childSessionIdOf, childSubmissionIdOf } from './child-ids.js';
import { parseFleetConfig, type FleetConfig } from './fleet-config.js';

/*
 * The sub-agent tools (`features.fleet`). A child is an ordinary session of the same universe,
 * opened and driven through the host (`SessionDirectory`), its id and its run's submission id
 * derived from the spawning call, so a call re-run after a crash finds what the first run made.
 * Awaiting a child parks the call on a wait of kind `child`; the engine resolves it when the
 * child's report arrives (or at once if it already did).
 */

export const MAX_TASK_CHARS = 100_000;
const MAX_NAME_CHARS = 200;

/** A refusal the model can act on, typed by `code` (limit, refused, not_found, unavailable). */
function refusal(code: 'limit' | 'refused' | 'not_found' | 'unavailable', message: string): ToolResult {
  return { isError: true, json: { error: { code, message } } };
}

interface FleetContext {
  sessions: SessionDirectory;
  parent: SessionState;
  fleet: FleetConfig;
}

/** The calling session and its fleet policy, or a refusal when this host cannot run sub-agents. */
async function fleetContext(env: ToolEnv): Promise<FleetContext | ToolResult> {
  if (!env.sessions) return refusal('unavailable', 'sub-agents are not available on this host (it gives tools no session directory)');
  const parent = await env.sessions.state(env.sessionId);
  if (!parent?.config) return refusal('unavailable', `session ${env.sessionId} is not configured`);
  return { sessions: env.sessions, parent, fleet: parseFleetConfig((parent.config.features as { fleet?: unknown } | undefined)?.fleet ?? {}) };
}

/** One of this session's children, or not_found (an unknown id, or another session's child). */
function childOf(parent: SessionState, agentId: string): ChildState | ToolResult {
  const child = parent.children?.[agentId];
  if (!child || !Object.prototype.hasOwnProperty.call(parent.children, agentId) || !isChildSessionOf(parent.sessionId, agentId)) {
    return refusal('not_found', `no sub-agent ${agentId} of this session; list_agents shows them`);
  }
  return child;
}

function agentView(child: ChildState): Record<string, unknown> {
  return { agent_id: child.sessionId, run_id: child.runId, status: child.status, ...(child.failure ? { failure: child.failure } : {}) };
}

const started = (sessionId: string, runId: string) => [{ kind: CHILD_RUN_EFFECT, data: { sessionId, runId } }];

async function startChildRun(ctx: FleetContext, env: ToolEnv, childId: string, text: string): Promise<string | ToolResult> {
  const ref = await putText(env.blobs, text);
  const outcome = await ctx.sessions.submit(childId, { type: 'run.start', submissionId: childSubmissionIdOf(callIds(env)), source: { type: 'input', items: [{ type: 'text', ref, preview: preview(text) }] } });
  if (!outcome.ok) return refusal(outcome.rejection.code === 'not_found' ? 'not_found' : 'refused', `the sub-agent ${childId} refused the task: ${outcome.rejection.message}`);
  const runId = outcome.result!.runId!;
  // The parent's run may have ended (cancelled, failed, its session force-closed) while this call
  // was starting the child: the call's result is then discarded, the parent never learns of the
  // child and owes it no cancel, and the child would run (and bill) on. So look again, and cancel.
  if (env.signal?.aborted || !(await parentRunLive(ctx.sessions, env))) {
    const cancelled = await ctx.sessions.submit(childId, { type: 'run.cancel', runId });
    const how = cancelled.ok ? 'was cancelled' : `could not be cancelled (${cancelled.rejection.code})`;
    return refusal('refused', `run ${env.runId} of this session ended while the sub-agent ${childId} was started; its run ${runId} ${how}`);
  }
  return runId;
}

async function parentRunLive(sessions: SessionDirectory, env: ToolEnv): Promise<boolean> {
  const parent = await sessions.state(env.sessionId);
  return parent?.status === 'open' && findRun(parent, env.runId)?.status === 'running';
}

function callIds(env: ToolEnv) {
  return { sessionId: env.sessionId, runId: env.runId, batchId: env.batchId, callId: env.callId };
}

/**
 * The conversation's messages before the current turn, by reference: what a fork starts from. Tool
 * calls, their results and provider-native items stay behind (they bind to the parent's provider
 * state, and the spawning call itself has no result yet).
 */
function forkedContext(parent: SessionState, env: ToolEnv): ContextPutEntry[] {
  const entries: ContextPutEntry[] = [];
  for (const entry of parent.context.entries) {
    const source = entry.source;
    if (source && 'turnId' in source && source.runId === env.runId && source.turnId === env.turnId) continue;
    // Text messages only: their content is the text itself, valid in any session of the API kind.
    if (entry.kind.type !== 'message' || (entry.mediaType !== undefined && !entry.mediaType.startsWith('text/'))) continue;
    const put: ContextPutEntry = { key: `fork.${entry.id}`, kind: entry.kind, contentRef: entry.contentRef };
    if (entry.preview !== undefined) put.preview = entry.preview;
    if (entry.mediaType !== undefined) put.mediaType = entry.mediaType;
    entries.push(put);
  }
  return entries;
}

interface SpawnArgs {
  task: string;
  agent?: string;
  name?: string;
}

const spawnTool: LogicalTool<SpawnArgs> = {
  logical: 'fleet.spawn',
  // One spawn at a time: each sees the children the ones before it recorded, so the fan-out limit
  // is exact. The children still run in parallel (a spawn only opens a session and starts its run).
  parallelism: 'exclusive',
  async run(args, env): Promise<ToolResult> {
    const ctx = await fleetContext(env);
    if (!('parent' in ctx)) return ctx;
    const { parent, fleet } = ctx;
    const childId = childSessionIdOf(callIds(env));
    const base = args.agent === undefined ? 'self' : 'profile';
    if (fleet.bases && !fleet.bases.includes(base)) return refusal('refused', `spawning from ${base === 'self' ? 'a fork of this session' : 'an agent definition'} is not allowed here (features.fleet.spawn.bases: ${fleet.bases.join(', ')})`);
    const depth = (parent.config!.parent?.depth ?? 0) + 1;
    if (depth > fleet.maxDepth) return refusal('limit', `sub-agents may nest ${fleet.maxDepth} deep (features.fleet.maxDepth); this one would be at depth ${depth}`);
    // A re-run of this call after a crash finds its child recorded or being spawned: not a new one.
    const again = (await ctx.sessions.state(childId))?.config?.parent?.callId === env.callId;
    if (!again && Object.keys(parent.children ?? {}).length >= fleet.maxChildren) return refusal('limit', `this session may spawn at most ${fleet.maxChildren} sub-agents (features.fleet.maxChildren)`);
    let config: SessionConfig;
    let context: ContextPutEntry[] = [];
    let displayName: string | undefined;
    if (args.agent !== undefined) {
      if (fleet.deny.includes(args.agent)) return refusal('refused', `agent ${args.agent} is denied by features.fleet.profiles.deny`);
      if (fleet.allow && !fleet.allow.includes(args.agent)) return refusal('refused', `agent ${args.agent} is not in features.fleet.profiles.allow (${fleet.allow.join(', ') || 'empty'})`);
      const profile = await env.agents?.resolve(args.agent);
      if (!profile) return refusal('not_found', `no agent definition ${args.agent} in this universe`);
      config = profile.config;
      context = profile.context ?? [];
      displayName = profile.displayName;
    } else {
      const { parent: _ownParent, ...own } = parent.config!;
      void _ownParent;
      config = own;
      context = forkedContext(parent, env);
    }
    config = { ...config, parent: { sessionId: env.sessionId, runId: env.runId, callId: env.callId, depth } };
    const open = await ctx.sessions.submit(childId, {
      type: 'session.open',
      sessionId: childId,
      config,
      ...((args.name ?? displayName) ? { displayName: args.name ?? displayName } : {}),
      ...(context.length > 0 ? { context } : {}),
    });
    if (!open.ok && !again) return refusal('refused', `the sub-agent could not be opened: ${open.rejection.message}`);
    const runId = await startChildRun(ctx, env, childId, args.task);
    if (typeof runId !== 'string') return runId;
    return { isError: false, json: { agent_id: childId, run_id: runId, status: 'running', ...(args.name ? { name: args.name } : {}) }, effects: started(childId, runId) };
  },
};

const sendTool: LogicalTool<{ agentId: string; message: string }> = {
  logical: 'fleet.send',
  parallelism: 'parallelSafe',
  async run(args, env): Promise<ToolResult> {
    const ctx = await fleetContext(env);
    if (!('parent' in ctx)) return ctx;
    const child = childOf(ctx.parent, args.agentId);
    if (!('sessionId' in child)) return child;
    const runId = await startChildRun(ctx, env, child.sessionId, args.message);
    if (typeof runId !== 'string') return runId;
    return { isError: false, json: { agent_id: child.sessionId, run_id: runId, status: 'running' }, effects: started(child.sessionId, runId) };
  },
};

const awaitTool: LogicalTool<{ agentId: string }> = {
  logical: 'fleet.await',
  // Awaiting two children in one batch waits for both at once.
  parallelism: 'parallelSafe',
  async run(args, env): Promise<ToolResult> {
    const ctx = await fleetContext(env);
    if (!('parent' in ctx)) return ctx;
    const child = childOf(ctx.parent, args.agentId);
    if (!('sessionId' in child)) return child;
    return { isError: false, defer: { wait: { kind: 'child', preview: `sub-agent ${child.sessionId} (${child.runId})`, child: { sessionId: child.sessionId, runId: child.runId } } } };
  },
};

const listTool: LogicalTool<Record<string, never>> = {
  logical: 'fleet.list',
  parallelism: 'parallelSafe',
  async run(_args, env): Promise<ToolResult> {
    const ctx = await fleetContext(env);
    if (!('parent' in ctx)) return ctx;
    const children = Object.values(ctx.parent.children ?? {}).sort((a, b) => a.sessionId.localeCompare(b.sessionId));
    return { isError: false, json: { agents: children.map(agentView) } };
  },
};

const cancelTool: LogicalTool<{ agentId: string }> = {
  logical: 'fleet.cancel',
  parallelism: 'parallelSafe',
  async run(args, env): Promise<ToolResult> {
    const ctx = await fleetContext(env);
    if (!('parent' in ctx)) return ctx;
    const child = childOf(ctx.parent, args.agentId);
    if (!('sessionId' in child)) return child;
    if (child.status !== 'running') return { isError: false, json: { ...agentView(child), note: 'the run had already ended' } };
    const outcome = await ctx.sessions.submit(child.sessionId, { type: 'run.cancel', runId: child.runId });
    // A run that ended meanwhile refuses the cancel: its report is on its way.
    if (!outcome.ok && outcome.rejection.code !== 'conflict') return refusal('refused', `the sub-agent refused the cancel: ${outcome.rejection.message}`);
    return { isError: false, json: { agent_id: child.sessionId, run_id: child.runId, status: 'cancelling' } };
  },
};

const agentId = { type: 'string', description: 'The sub-agent, as spawn_agent or list_agents named it.' };
const agentIdOf = (a: Record<string, unknown>) => field.string(a, 'agent_id');

const FLEET_TOOLS: ProviderTool[] = [
  defineTool({
    name: 'spawn_agent',
    description:
      'Starts a sub-agent on a task and returns its agent_id at once; it works in parallel with you. Give `agent` to start from a named agent definition, or leave it out to fork yourself (the sub-agent sees this conversation so far). Collect its answer with await_agent.',
    inputSchema: objectSchema(
      {
        task: { type: 'string', description: 'What the sub-agent should do, self-contained.' },
        agent: { type: 'string', description: 'An agent definition (profile id) to start from; omit to fork this session.' },
        name: { type: 'string', description: 'A short name shown to people watching.' },
      },
      ['task'],
    ),
    tool: spawnTool,
    parse: (a) => {
      const task = field.string(a, 'task').trim();
      if (task === '' || task.length > MAX_TASK_CHARS) throw new ToolInputError(`\`task\` must be 1 to ${MAX_TASK_CHARS} characters`);
      const agent = field.optionalString(a, 'agent')?.trim();
      const name = field.optionalString(a, 'name')?.trim().slice(0, MAX_NAME_CHARS);
      return { task, ...(agent ? { agent } : {}), ...(name ? { name } : {}) };
    },
  }),
  defineTool({
    name: 'send_to_agent',
    description: 'Gives one of your sub-agents more work (a follow-up message); await_agent then waits for that answer.',
    inputSchema: objectSchema({ agent_id: agentId, message: { type: 'string', description: 'The follow-up, self-contained.' } }, ['agent_id', 'message']),
    tool: sendTool,
    parse: (a) => {
      const message = field.string(a, 'message').trim();
      if (message === '' || message.length > MAX_TASK_CHARS) throw new ToolInputError(`\`message\` must be 1 to ${MAX_TASK_CHARS} characters`);
      return { agentId: agentIdOf(a), message };
    },
  }),
  defineTool({
    name: 'await_agent',
    description: "Waits for a sub-agent's current task to finish and returns its answer (or why it failed). Await several in one turn to wait for all of them.",
    inputSchema: objectSchema({ agent_id: agentId }, ['agent_id']),
    tool: awaitTool,
    parse: (a) => ({ agentId: agentIdOf(a) }),
  }),
  defineTool({
    name: 'list_agents',
    description: 'Lists your sub-agents with the status of their current task.',
    inputSchema: objectSchema({}, []),
    tool: listTool,
    parse: () => ({}),
  }),
  defineTool({
    name: 'cancel_agent',
    description: "Cancels a sub-agent's current task.",
    inputSchema: objectSchema({ agent_id: agentId }, ['agent_id']),
    tool: cancelTool,
    parse: (a) => ({ agentId: agentIdOf(a) }),
  }),
];

/** The fleet tools, granted by `features.fleet`. */
export function fleetTools(enabled: boolean): ProviderTool[] {
  return enabled ? FLEET_TOOLS : [];
}

/** The names the fleet tools take (custom tools may not). */
export const FLEET_TOOL_NAMES = FLEET_TOOLS.map((tool) => tool.name);
