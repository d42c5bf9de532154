import { preview, type BlobRef, type ToolCallOutcome, type ToolDescriptor, type ToolInvocation, type WaitInfo } from '@lightspeed/engine';
import { getText, putJson, putText } from '@lightspeed/cas';
import { LightspeedError, type AgentCatalog, type BlobStore, type MemoryToolAccess, type SessionDirectory, type ToolCallContext, type ToolPort, type ToolResolutionInput, type WorkspaceStore } from '@lightspeed/ports';
import { normalizePath, Workspaces } from '@lightspeed/vfs';
import type { FileSpace } from '../files/file-space.js';
import { sessionFileSpace } from '../files/session-file-space.js';
import { customToolSet, type CustomTool } from '../custom/custom-tool.js';
import type { CommandLedger } from '../host/command-ledger.js';
import { HostEnvironment } from '../host/host-environment.js';
import { McpHub, type McpToolBinding } from '../mcp/mcp-hub.js';
import { activateSkill, sessionContextEntries, type SessionContextEntries } from '../skills/session-context-entries.js';
import type { ContextEntryContent } from '../skills/skill-catalog.js';
import type { McpServerRegistry } from '../mcp/mcp-server-config.js';
import { anthropicTools } from '../surfaces/anthropic-tools.js';
import { openaiTools } from '../surfaces/openai-tools.js';
import { familyOf, type ProviderTool, type ToolGroups } from '../surfaces/provider-tool.js';
import type { ToolEnv, ToolResult } from '../tool-definition.js';
import { parseArguments, ToolInputError } from '../tool-input.js';
import { parseWebFetchConfig, type WebFetchConfig } from '../web/web-fetch-config.js';
import { WebFetcher } from '../web/web-fetcher.js';
import { promiseIdOf } from '../waits/promise-id.js';
import { waitTools } from '../waits/wait-tools.js';
import { fleetTools } from '../fleet/fleet-tools.js';
import { memoryTools } from '../memory/memory-tools.js';
import { delegateProviderTool, type DelegateToolOptions } from '../delegate/delegate-tool.js';
import { runBatch, type BatchOptions } from './run-batch.js';
import { parseToolFeatures, type ToolFeatures, type WorkspaceLink } from './session-features.js';
import type { SessionToolContext, SessionToolContextProvider } from './session-tool-context.js';

export interface ToolRuntimeOptions {
  /** Where tool definitions are written at resolve time (the universe's CAS). */
  blobs: BlobStore;
  /** Workspace heads; file contents and tree nodes live in `blobs`. */
  workspaces: WorkspaceStore;
  mcpServers?: McpServerRegistry;
  /** Default web policy (allowlist, caps) for sessions that do not bring their own. */
  web?: WebFetchConfig;
  sessions?: SessionToolContextProvider;
  /** Where host commands are recorded while they run (see CommandLedger); none keeps no record. */
  commandLedger?: CommandLedger;
  /**
   * Resolved sessions kept in memory (default 1,000), least recently used dropped first; a dropped
   * one is resolved again from `sessions` on its next call. Parked sessions must not pile up here.
   */
  maxResolvedSessions?: number;
  /** Tools written in TypeScript (`defineCustomTool`), offered to every session of this runtime. */
  customTools?: readonly CustomTool[];
  /** The universe's sessions, through the host: what sub-agent tools open, steer and read. */
  directory?: SessionDirectory;
  /** Agent definitions `spawn_agent {agent}` starts from. */
  agents?: AgentCatalog;
  /** This universe's memory, read by the memory tools (`features.memory`). */
  memory?: MemoryToolAccess;
  /**
   * The deployment half of `features.delegate`: the CLIs' provider endpoints and credentials
   * source. Without it, a session that asks for delegation is refused (`invalid`).
   */
  delegate?: Omit<DelegateToolOptions, 'configs'>;
}

const DEFAULT_MAX_RESOLVED_SESSIONS = 1_000;

type Binding = { kind: 'provider'; tool: ProviderTool } | { kind: 'mcp'; binding: McpToolBinding };

interface ResolvedSession {
  context: SessionToolContext;
  features: ToolFeatures;
  apiKind: string;
  bindings: Map<string, Binding>;
  host?: HostEnvironment;
  web?: WebFetcher;
  cwd: string;
}

/**
 * The tool runtime (ToolPort): resolves a session's features into provider-shaped tools and runs
 * calls. Tool failures come back as error results the model can act on; only infrastructure faults
 * (a store down, a bug) throw, so the host can retry them.
 */
export class ToolRuntime implements ToolPort {
  readonly workspaces: Workspaces;
  readonly mcp: McpHub;
  private readonly contexts = new Map<string, SessionToolContext>();
  private readonly sessions = new Map<string, ResolvedSession>();
  private readonly customTools: readonly ProviderTool[];

  /** Throws an `invalid` LightspeedError when the default web policy is malformed or two custom tools share a name. */
  constructor(private readonly options: ToolRuntimeOptions) {
    if (options.web) parseWebFetchConfig(options.web);
    this.customTools = [...customToolSet(options.customTools).values()].map((tool) => tool.providerTool);
    this.workspaces = new Workspaces(options.workspaces, options.blobs);
    this.mcp = new McpHub(options.mcpServers ?? { get: () => undefined });
  }

  private delegateTools(features: ToolFeatures, host: HostEnvironment | undefined): ProviderTool[] {
    if (!features.delegate?.length) return [];
    if (!this.options.delegate) throw new LightspeedError('invalid', 'invalid tool features: delegate is not available on this server (it has no endpoints configured for the coding-agent CLIs)', { field: 'features.delegate' });
    // The CLI works in a real directory; until environments materialise a VFS workspace, that is the host root.
    if (!host) throw new LightspeedError('invalid', 'invalid tool features: delegate needs features.host (the directory the coding agent works in)', { field: 'features.delegate' });
    return [delegateProviderTool({ ...this.options.delegate, configs: features.delegate })];
  }

  /** Registers a session's deployment context (host root, extra mounts, web policy). */
  forSession(context: SessionToolContext): void {
    // A malformed web policy fails here, where the deployment supplies it, not at the first fetch.
    if (context.web) parseWebFetchConfig(context.web);
    this.contexts.set(context.sessionId, context);
    this.sessions.delete(context.sessionId);
  }

  async resolve(input: ToolResolutionInput): Promise<ToolDescriptor[]> {
    return (await this.resolveSession(input)).descriptors;
  }

  private async resolveSession(input: ToolResolutionInput): Promise<{ descriptors: ToolDescriptor[]; session: ResolvedSession }> {
    const features = parseToolFeatures(input.features);
    const context = this.contexts.get(input.sessionId) ?? { sessionId: input.sessionId };
    const hostConfig = context.host ?? features.host ?? undefined;
    const host = hostConfig ? new HostEnvironment(hostConfig, this.options.commandLedger) : undefined;
    const webConfig = context.web ?? this.options.web ?? {};
    const previous = this.sessions.get(input.sessionId);
    await previous?.web?.close();
    const session: ResolvedSession = { context, features, apiKind: input.apiKind, bindings: new Map(), cwd: '/' };
    if (host) session.host = host;
    if (features.web?.fetch) session.web = new WebFetcher(webConfig);
    session.cwd = this.defaultCwd(session);

    const surface = features.vfs?.tools ?? undefined;
    const hasFiles = this.mounts(session).length > 0 || host !== undefined;
    const groups: ToolGroups = {
      read: hasFiles && (surface !== undefined || host !== undefined),
      edit: hasFiles && (surface === 'edit' || (host !== undefined && hostConfig?.readOnly !== true)),
      exec: host?.execEnabled === true,
      webFetch: session.web !== undefined,
    };
    // Custom tools go through the same binding, so their calls and results are logged like any other.
    const providerTools = [
      ...(familyOf(input.apiKind) === 'anthropic' ? anthropicTools(groups) : openaiTools(groups)),
      ...waitTools({ timers: features.timers != null, askUser: features.askUser != null }),
      ...fleetTools(features.fleet != null),
      ...memoryTools(features.memory ?? undefined),
      ...this.delegateTools(features, host),
      ...this.customTools,
    ];
    const descriptors: ToolDescriptor[] = [];
    for (const tool of providerTools) {
      session.bindings.set(tool.name, { kind: 'provider', tool });
      descriptors.push({
        name: tool.name,
        logical: tool.tool.logical,
        parallelism: tool.tool.parallelism,
        definitionRef: await putJson(this.options.blobs, { description: tool.description, inputSchema: tool.inputSchema }),
      });
    }
    if (features.mcp?.servers?.length) {
      const { bindings } = await this.mcp.toolsFor(features.mcp.servers);
      for (const binding of bindings) {
        if (session.bindings.has(binding.name)) continue;
        session.bindings.set(binding.name, { kind: 'mcp', binding });
        const annotations = binding.tool.annotations;
        descriptors.push({
          name: binding.name,
          logical: `mcp.${binding.serverId}.${binding.tool.name}`,
          // Only a server's explicit read-only hint makes a call safe to overlap with others.
          parallelism: annotations?.readOnlyHint === true ? 'parallelSafe' : 'exclusive',
          definitionRef: await putJson(this.options.blobs, {
            description: binding.tool.description ?? `${binding.tool.name} (MCP server ${binding.serverId})`,
            inputSchema: objectInputSchema(binding.tool.inputSchema),
          }),
        });
      }
    }
    this.remember(input.sessionId, session);
    return { descriptors, session };
  }

  async invoke(call: ToolInvocation, context: ToolCallContext): Promise<ToolCallOutcome> {
    const session = await this.session(call.sessionId);
    const binding = session.bindings.get(call.name);
    if (!binding) return this.outcome(context.blobs, { text: `Tool ${call.name} is not available in this session.`, isError: true }, 'unavailable');
    if (context.signal?.aborted) return this.outcome(context.blobs, { text: 'The call was cancelled before it started.', isError: true }, 'cancelled');
    // Arguments missing from CAS are the driver's fault, not the model's: that throws.
    const rawArguments = await getText(context.blobs, call.argumentsRef);
    let result: ToolResult;
    try {
      const args = parseArguments(rawArguments);
      if (binding.kind === 'mcp') {
        result = await this.mcp.call(binding.binding, args, context.signal);
      } else {
        const parsed = binding.tool.parse(args, { cwd: session.cwd });
        result = await binding.tool.tool.run(parsed, this.env(session, call, context));
      }
    } catch (error) {
      result = toolError(error);
    }
    if (context.signal?.aborted) return this.outcome(context.blobs, { ...result, isError: true }, 'cancelled');
    if (result.defer) return deferredOutcome(context.blobs, call, result.defer);
    return this.outcome(context.blobs, result, result.isError ? 'failed' : 'succeeded');
  }

  /** Runs a tool batch (parallel-safe calls concurrently, exclusive ones alone); see `runBatch`. */
  runBatch(calls: readonly ToolInvocation[], context: ToolCallContext, options: BatchOptions = {}): Promise<ToolCallOutcome[]> {
    return runBatch(calls, (call, ctx) => this.invoke(call, ctx), context, options);
  }

  /** The session's file namespace (for skills and prompts discovery, or the API's file views). */
  async files(sessionId: string): Promise<FileSpace> {
    return this.fileSpace(await this.session(sessionId));
  }

  /**
   * Context-entry content the session's VFS contributes (prompt instructions, VFS catalog, skill
   * catalog), written to CAS for the driver to place as `instructions` / `vfsCatalog` / `skillCatalog`.
   */
  async contextEntries(sessionId: string): Promise<SessionContextEntries> {
    const session = await this.session(sessionId);
    return sessionContextEntries(this.options.blobs, this.fileSpace(session), session.features);
  }

  /** ToolPort.sessionContext: the catalogs and prompt instructions as keyed context entries. */
  async sessionContext(sessionId: string): Promise<ContextEntryContent[]> {
    const entries = await this.contextEntries(sessionId);
    return [...(entries.vfsCatalog ? [entries.vfsCatalog] : []), ...(entries.skillCatalog ? [entries.skillCatalog] : []), ...entries.instructions];
  }

  /** A `skillActivation` entry with the skill's body; `skill` is its id (directory) or name. */
  async activateSkill(sessionId: string, skill: string): Promise<ContextEntryContent> {
    const session = await this.session(sessionId);
    return activateSkill(this.options.blobs, this.fileSpace(session), session.features, skill);
  }

  /** The features the session was last resolved with. */
  async features(sessionId: string): Promise<ToolFeatures> {
    return (await this.session(sessionId)).features;
  }

  async close(): Promise<void> {
    await this.mcp.closeAll();
    await Promise.all([...this.sessions.values()].map((s) => s.web?.close()));
    this.sessions.clear();
  }

  /** Keeps a resolved session, most recent last, dropping the least recently used above the bound. */
  private remember(sessionId: string, session: ResolvedSession): void {
    this.sessions.delete(sessionId);
    this.sessions.set(sessionId, session);
    const max = Math.max(1, this.options.maxResolvedSessions ?? DEFAULT_MAX_RESOLVED_SESSIONS);
    for (const [id, old] of this.sessions) {
      if (this.sessions.size <= max) break;
      this.sessions.delete(id);
      void old.web?.close().catch(() => undefined);
    }
  }

  private async session(sessionId: string): Promise<ResolvedSession> {
    const existing = this.sessions.get(sessionId);
    if (existing) {
      this.remember(sessionId, existing);
      return existing;
    }
    const loaded = await this.options.sessions?.load(sessionId);
    // Transient, so the driver retries: the host may not yet serve the session's state (it is
    // starting, or its store is briefly unreachable). A final "never resolved" result would record a
    // call that never ran as finished.
    if (!loaded) throw new LightspeedError('unavailable', `tools for session ${sessionId} are not resolved yet: the host reports no configured session`);
    this.forSession(loaded.context);
    return (await this.resolveSession({ sessionId, apiKind: loaded.apiKind, features: loaded.features })).session;
  }

  private mounts(session: ResolvedSession): WorkspaceLink[] {
    return [...(session.features.vfs?.workspaceLinks ?? []), ...(session.context.mounts ?? [])];
  }

  private defaultCwd(session: ResolvedSession): string {
    if (session.host) return session.host.mountPath;
    const writable = this.mounts(session).find((m) => m.access === 'readWrite') ?? this.mounts(session)[0];
    return writable ? normalizePath(writable.path) : '/';
  }

  private fileSpace(session: ResolvedSession): FileSpace {
    return sessionFileSpace(this.workspaces, this.mounts(session), session.host);
  }

  private env(session: ResolvedSession, call: ToolInvocation, context: ToolCallContext): ToolEnv {
    let files: FileSpace | undefined;
    const env: ToolEnv = {
      sessionId: call.sessionId,
      callId: call.callId,
      runId: call.runId,
      turnId: call.turnId,
      batchId: call.batchId,
      blobs: context.blobs,
      files: () => (files ??= this.fileSpace(session)),
    };
    if (context.signal) env.signal = context.signal;
    if (session.host) env.host = session.host;
    if (session.web) env.web = session.web;
    if (this.options.directory) env.sessions = this.options.directory;
    if (this.options.agents) env.agents = this.options.agents;
    if (this.options.memory) env.memory = this.options.memory;
    return env;
  }

  private async outcome(blobs: BlobStore, result: ToolResult, status: 'succeeded' | 'failed' | 'cancelled' | 'unavailable'): Promise<ToolCallOutcome> {
    let resultRef: BlobRef;
    let shown: string;
    if (result.json !== undefined) {
      resultRef = await putJson(blobs, result.json);
      shown = previewOfContent(result.json);
    } else {
      shown = result.text ?? '';
      resultRef = await putText(blobs, shown);
    }
    const outcome: ToolCallOutcome = { status, resultRef, isError: result.isError, preview: preview(shown) };
    if (result.effects?.length) outcome.effects = result.effects;
    return outcome;
  }
}

/** A parked call: its promise is named after the call, so a re-run after a crash names the same one. */
async function deferredOutcome(blobs: BlobStore, call: ToolInvocation, defer: NonNullable<ToolResult['defer']>): Promise<ToolCallOutcome> {
  const wait: WaitInfo = { kind: defer.wait.kind, preview: defer.wait.preview };
  if (defer.wait.detail !== undefined) wait.detailRef = await putJson(blobs, defer.wait.detail);
  if (defer.wait.child !== undefined) wait.child = defer.wait.child;
  const outcome: ToolCallOutcome = { status: 'deferred', promiseId: promiseIdOf(call), wait };
  if (defer.deadline !== undefined) outcome.deadline = defer.deadline;
  return outcome;
}

/** Turns a failure inside a tool into an error result; rethrows what is not the model's business. */
function toolError(error: unknown): ToolResult {
  if (error instanceof ToolInputError) return { text: `Invalid arguments: ${error.message}`, isError: true };
  if (error instanceof LightspeedError) {
    if (error.code === 'internal' || error.code === 'unavailable' || error.code === 'corrupt') throw error;
    return { text: error.message, isError: true };
  }
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return { text: `File system error (${code}): ${(error as Error).message}`, isError: true };
  throw error;
}

/** Providers require an object schema with `properties`; some MCP servers omit them. */
function objectInputSchema(schema: Record<string, unknown> | undefined): Record<string, unknown> {
  return { ...(schema ?? {}), type: 'object', properties: (schema?.properties as Record<string, unknown> | undefined) ?? {} };
}

function previewOfContent(json: unknown): string {
  const content = (json as { content?: { type?: string; text?: string }[] } | undefined)?.content;
  if (Array.isArray(content)) {
    const text = content.map((c) => (c?.type === 'text' ? (c.text ?? '') : `[${c?.type ?? 'content'}]`)).join('\n');
    if (text !== '') return text;
  }
  return JSON.stringify(json);
}
