import type { MountAccess } from '@lightspeed/vfs';
import { LightspeedError } from '@lightspeed/ports';
import type { HostEnvironmentConfig } from '../host/host-environment.js';
import type { McpServerLink } from '../mcp/mcp-hub.js';
import { parseFleetConfig, type FleetConfig } from '../fleet/fleet-config.js';
import { parseMemoryFeature, type MemoryToolName } from '../memory/memory-tools.js';
import { parseDelegateConfig, type DelegateConfig } from '../delegate/delegate-config.js';

/** A workspace link (the contract's WorkspaceLink). */
export interface WorkspaceLink {
  path: string;
  access: MountAccess;
  target: { type: 'workspace'; workspaceId: string } | { type: 'snapshot'; snapshotRef: string };
}

/**
 * The subset of the API contract's FeaturesConfig the tool runtime reads, plus our `host`
 * extension. Unknown members are ignored here; the API validates the full shape at admission.
 */
export interface ToolFeatures {
  vfs?: {
    tools?: 'readOnly' | 'edit' | null;
    workspaceLinks?: WorkspaceLink[];
    skills?: { roots?: string[] | null } | null;
    prompts?: { roots?: string[] | null } | null;
  } | null;
  web?: { fetch?: Record<string, never> | null } | null;
  mcp?: { servers?: McpServerLink[] } | null;
  host?: HostEnvironmentConfig | null;
  /** The contract's TimersFeature: the `sleep` and `wait_until` tools. */
  timers?: Record<string, unknown> | null;
  /** Lightspeed extension: the `ask_user` tool (questions answered through `session/waits/*`). */
  askUser?: Record<string, unknown> | null;
  /** The contract's FleetFeature: the sub-agent tools (see fleet/fleet-config.ts). */
  fleet?: FleetConfig | null;
  /** Lightspeed extension: the memory tools granted (`features.memory {tools?}`, all three by default). */
  memory?: MemoryToolName[] | null;
  /** Lightspeed extension: the `delegate` tool's coding-agent CLIs (`{clis: [...]}`, docs/0026). */
  delegate?: DelegateConfig[] | null;
}

/** Reads `features` (opaque to the engine) defensively: a wrong shape is an `invalid` error. */
export function parseToolFeatures(features: unknown): ToolFeatures {
  if (features === undefined || features === null) return {};
  if (typeof features !== 'object' || Array.isArray(features)) throw invalid('features must be an object');
  const f = features as Record<string, unknown>;
  const out: ToolFeatures = {};
  if (f.vfs) {
    const vfs = f.vfs as Record<string, unknown>;
    if (vfs.tools !== undefined && vfs.tools !== null && vfs.tools !== 'readOnly' && vfs.tools !== 'edit') throw invalid('vfs.tools must be "readOnly" or "edit"');
    const links = vfs.workspaceLinks ?? [];
    if (!Array.isArray(links)) throw invalid('vfs.workspaceLinks must be an array');
    for (const link of links as WorkspaceLink[]) {
      if (typeof link?.path !== 'string' || (link.access !== 'readOnly' && link.access !== 'readWrite')) throw invalid('each workspace link needs a path and access readOnly|readWrite');
      const t = link.target as { type?: string; workspaceId?: unknown; snapshotRef?: unknown } | undefined;
      if (!(t?.type === 'workspace' && typeof t.workspaceId === 'string') && !(t?.type === 'snapshot' && typeof t.snapshotRef === 'string')) {
        throw invalid(`workspace link ${link.path} needs a target {type:'workspace', workspaceId} or {type:'snapshot', snapshotRef}`);
      }
    }
    out.vfs = { ...(vfs as ToolFeatures['vfs']), workspaceLinks: links as WorkspaceLink[] };
  }
  if (f.web) out.web = f.web as ToolFeatures['web'];
  if (f.timers) out.timers = f.timers as Record<string, unknown>;
  if (f.askUser) out.askUser = f.askUser as Record<string, unknown>;
  if (f.fleet) out.fleet = parseFleetConfig(f.fleet);
  if (f.memory) out.memory = parseMemoryFeature(f.memory);
  if (f.delegate) out.delegate = parseDelegateFeature(f.delegate);
  if (f.mcp) {
    const servers = (f.mcp as { servers?: unknown }).servers ?? [];
    if (!Array.isArray(servers) || servers.some((s) => typeof (s as McpServerLink)?.serverId !== 'string')) throw invalid('mcp.servers must be a list of {serverId}');
    out.mcp = { servers: servers as McpServerLink[] };
  }
  if (f.host) {
    const host = f.host as HostEnvironmentConfig;
    if (typeof host.root !== 'string' || host.root === '') throw invalid('host.root must be a directory path');
    out.host = host;
  }
  return out;
}

/** `features.delegate`: `{clis: [DelegateConfig, …]}`, at most one entry per CLI. */
function parseDelegateFeature(raw: unknown): DelegateConfig[] {
  const clis = (raw as { clis?: unknown }).clis;
  if (typeof raw !== 'object' || Array.isArray(raw) || Object.keys(raw as object).some((key) => key !== 'clis')) throw invalid('delegate must be {clis: [...]}');
  if (!Array.isArray(clis) || clis.length === 0) throw invalid('delegate.clis must list at least one CLI');
  const configs = clis.map((entry, i) => parseDelegateConfig(entry, `delegate.clis.${i}`));
  const seen = new Set<string>();
  for (const config of configs) {
    if (seen.has(config.cli)) throw invalid(`delegate.clis names ${config.cli} twice`);
    seen.add(config.cli);
  }
  return configs;
}

function invalid(message: string): LightspeedError {
  return new LightspeedError('invalid', `invalid tool features: ${message}`);
}
