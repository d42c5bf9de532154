import { LightspeedError, type McpServerDocument, type McpServerRecord, type McpServerStore } from '@lightspeed/ports';
import type { McpServerConfig, McpServerRegistry } from './mcp-server-config.js';

/**
 * The connection config of a stored registration, with credentials read from `env` (the server
 * process's environment) now: the record names variables, never values. A variable it names but
 * `env` lacks is an `invalid` error saying which, so the session's tool failure says what to set.
 */
export function mcpServerConfigOf(document: McpServerDocument, env: NodeJS.ProcessEnv): McpServerConfig {
  const { serverId } = document;
  const read = (name: string, what: string): string => {
    const value = env[name];
    if (value === undefined || value === '') {
      throw new LightspeedError('invalid', `MCP server ${serverId} needs the environment variable ${name} (${what}), which is not set on this server`, { serverId, envVar: name });
    }
    return value;
  };
  const timeouts = {
    ...(document.allowedTools ? { allowedTools: document.allowedTools } : {}),
    ...(document.callTimeoutMs !== undefined ? { callTimeoutMs: document.callTimeoutMs } : {}),
    ...(document.connectTimeoutMs !== undefined ? { connectTimeoutMs: document.connectTimeoutMs } : {}),
  };
  if (document.transport === 'stdio') {
    const stdio = document.stdio;
    if (!stdio) throw new LightspeedError('invalid', `MCP server ${serverId} is registered with transport stdio but no stdio.command`, { serverId });
    const env: Record<string, string> = { ...stdio.env };
    for (const [child, from] of Object.entries(stdio.envFromEnv ?? {})) env[child] = read(from, `for the child's ${child}`);
    return {
      transport: 'stdio',
      command: stdio.command,
      ...(stdio.args ? { args: stdio.args } : {}),
      ...(Object.keys(env).length > 0 ? { env } : {}),
      ...(stdio.cwd ? { cwd: stdio.cwd } : {}),
      ...timeouts,
    };
  }
  if (!document.serverUrl) throw new LightspeedError('invalid', `MCP server ${serverId} has no serverUrl`, { serverId });
  const headers: Record<string, string> = { ...document.headers };
  for (const [header, from] of Object.entries(document.headersFromEnv ?? {})) headers[header] = read(from, `header ${header}`);
  if (document.bearerTokenEnvVar) headers.Authorization = `Bearer ${read(document.bearerTokenEnvVar, 'bearer token')}`;
  else if (document.authPolicy.type === 'requiredBearer') {
    throw new LightspeedError('invalid', `MCP server ${serverId} requires a bearer token: register it with bearerTokenEnvVar naming the variable that holds it`, { serverId });
  }
  return {
    transport: 'http',
    url: document.serverUrl,
    ...(Object.keys(headers).length > 0 ? { headers } : {}),
    ...(document.publicAddressesOnly ? { publicAddressesOnly: true } : {}),
    ...timeouts,
  };
}

/**
 * The MCP hub's registry over a universe's stored registrations. Every lookup reads the store, so
 * a put or delete counts from the next resolve or call (the hub reconnects when the config changed).
 */
export class StoredMcpServerRegistry implements McpServerRegistry {
  constructor(
    private readonly store: McpServerStore,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  async get(serverId: string): Promise<McpServerConfig | undefined> {
    const record = await this.store.get(serverId);
    if (!record) return undefined;
    if (record.document.status === 'disabled') {
      throw new LightspeedError('unavailable', `MCP server ${serverId} is disabled; put it with status "active" to use it`, { serverId });
    }
    return mcpServerConfigOf(record.document, this.env);
  }
}

/** An in-process store, for embedders and `--data-dir :memory:` (nothing is kept after exit). */
export class MemoryMcpServerStore implements McpServerStore {
  private readonly records = new Map<string, McpServerRecord>();

  constructor(private readonly now: () => number = Date.now) {}

  async get(serverId: string): Promise<McpServerRecord | undefined> {
    const record = this.records.get(serverId);
    return record ? structuredClone(record) : undefined;
  }

  async put(document: McpServerDocument, expectedRevision?: number): Promise<McpServerRecord> {
    const current = this.records.get(document.serverId);
    if (current && expectedRevision !== undefined && current.revision !== expectedRevision) {
      throw new LightspeedError(
        'conflict',
        `MCP server ${document.serverId} changed concurrently (expected revision ${expectedRevision}, now ${current.revision}); read it again and retry`,
        { serverId: document.serverId, expectedRevision, actualRevision: current.revision },
      );
    }
    const now = this.now();
    const record: McpServerRecord = { document: structuredClone(document), revision: (current?.revision ?? 0) + 1, createdAt: current?.createdAt ?? now, updatedAt: now };
    this.records.set(document.serverId, record);
    return structuredClone(record);
  }

  async list(): Promise<McpServerRecord[]> {
    return [...this.records.keys()].sort().map((id) => structuredClone(this.records.get(id)!));
  }

  async delete(serverId: string): Promise<McpServerRecord> {
    const record = this.records.get(serverId);
    if (!record) throw new LightspeedError('not_found', `MCP server ${serverId} is not registered`, { serverId });
    this.records.delete(serverId);
    return record;
  }
}
