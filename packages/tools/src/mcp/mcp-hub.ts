import { ErrorCode, McpError, type Tool } from '@modelcontextprotocol/sdk/types.js';
import { LightspeedError } from '@lightspeed/ports';
import type { ToolResult } from '../tool-definition.js';
import { McpConnection } from './mcp-connection.js';
import type { McpServerConfig, McpServerRegistry } from './mcp-server-config.js';
import { mcpToolName } from './mcp-tool-names.js';

/** A session's link to a catalog server (the contract's McpServerLink). */
export interface McpServerLink {
  serverId: string;
  allowedTools?: string[] | null;
}

export interface McpToolBinding {
  /** Namespaced, provider-safe name shown to the model. */
  name: string;
  serverId: string;
  tool: Tool;
}

/**
 * The MCP client side of the runtime: one connection per server id, shared by every session that
 * links the server. Failures never escape as throws from `call`: a protocol error, a timeout or a
 * server that dies mid-call becomes an error result, and the next use reconnects.
 */
export class McpHub {
  private readonly connections = new Map<string, McpConnection>();
  private readonly changeListeners = new Set<(serverId: string) => void>();
  /** The config each open connection was made from (it holds resolved credentials: memory only). */
  private readonly fingerprints = new WeakMap<McpConnection, string>();

  constructor(private readonly registry: McpServerRegistry) {}

  /** Subscribe to tool-list changes of any server (re-resolve the sessions that link it). */
  onToolsChanged(listener: (serverId: string) => void): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  /**
   * The connection for the server's current config. The registry is asked every time (registrations
   * change at run time): a changed config replaces the open connection, a removed one closes it.
   */
  async connection(serverId: string): Promise<McpConnection> {
    let config: McpServerConfig | undefined;
    try {
      config = await this.registry.get(serverId);
    } catch (error) {
      await this.drop(serverId);
      throw error;
    }
    if (!config) {
      await this.drop(serverId);
      throw new LightspeedError('not_found', `MCP server ${serverId} is not in the server registry; register it before linking it`, { serverId });
    }
    const fingerprint = JSON.stringify(config);
    // No await from here to the map update: concurrent callers share one connection.
    const current = this.connections.get(serverId);
    if (current && this.fingerprints.get(current) === fingerprint) return current;
    if (current) {
      this.connections.delete(serverId);
      void current.close();
    }
    const connection = new McpConnection(serverId, config);
    this.fingerprints.set(connection, fingerprint);
    connection.onToolsChanged(() => {
      for (const listener of this.changeListeners) listener(serverId);
    });
    this.connections.set(serverId, connection);
    return connection;
  }

  /** The tools of the linked servers; a server that cannot be reached contributes none (reported in `failures`). */
  async toolsFor(links: readonly McpServerLink[]): Promise<{ bindings: McpToolBinding[]; failures: { serverId: string; message: string }[] }> {
    const bindings: McpToolBinding[] = [];
    const failures: { serverId: string; message: string }[] = [];
    await Promise.all(
      links.map(async (link) => {
        try {
          const connection = await this.connection(link.serverId);
          const allowed = link.allowedTools ? new Set(link.allowedTools) : undefined;
          const serverAllowed = connection.config.allowedTools ? new Set(connection.config.allowedTools) : undefined;
          for (const tool of await connection.listTools()) {
            if (allowed && !allowed.has(tool.name)) continue;
            if (serverAllowed && !serverAllowed.has(tool.name)) continue;
            bindings.push({ name: mcpToolName(link.serverId, tool.name), serverId: link.serverId, tool });
          }
        } catch (error) {
          failures.push({ serverId: link.serverId, message: (error as Error).message });
        }
      }),
    );
    bindings.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return { bindings, failures };
  }

  async call(binding: Pick<McpToolBinding, 'serverId' | 'tool'>, args: Record<string, unknown>, signal?: AbortSignal): Promise<ToolResult> {
    const { serverId } = binding;
    const toolName = binding.tool.name;
    let connection: McpConnection;
    try {
      connection = await this.connection(serverId);
    } catch (error) {
      return { text: (error as Error).message, isError: true };
    }
    try {
      const result = await connection.callTool(toolName, args, signal);
      const json: Record<string, unknown> = { content: result.content ?? [] };
      if (result.structuredContent !== undefined) json.structuredContent = result.structuredContent;
      return { json, isError: result.isError === true };
    } catch (error) {
      if (signal?.aborted) return { text: `the call to ${toolName} on MCP server ${serverId} was cancelled`, isError: true };
      if (error instanceof McpError && error.code === ErrorCode.RequestTimeout) {
        return { text: `the MCP server ${serverId} did not answer ${toolName} in time (timed out); try again or use another tool`, isError: true };
      }
      if (error instanceof McpError && error.code === ErrorCode.ConnectionClosed) {
        const diagnostics = connection.diagnostics.trim().split('\n').slice(-3).join('\n');
        await connection.close();
        return {
          text: `the MCP server ${serverId} stopped during the call to ${toolName} (it may have crashed); it will be restarted on the next call${diagnostics ? `\nlast server output:\n${diagnostics}` : ''}`,
          isError: true,
        };
      }
      if (error instanceof LightspeedError) return { text: error.message, isError: true };
      if (error instanceof McpError) return { text: `MCP server ${serverId} rejected ${toolName}: ${error.message}`, isError: true };
      await connection.close();
      return { text: `calling ${toolName} on MCP server ${serverId} failed: ${(error as Error).message}; it will be reconnected on the next call`, isError: true };
    }
  }

  private async drop(serverId: string): Promise<void> {
    const connection = this.connections.get(serverId);
    if (!connection) return;
    this.connections.delete(serverId);
    await connection.close();
  }

  async closeAll(): Promise<void> {
    const all = [...this.connections.values()];
    this.connections.clear();
    await Promise.all(all.map((c) => c.close()));
  }
}
