/**
 * How to reach an MCP server. This is deployment config: it lives in a registry keyed by server id,
 * never in the session log (a session's features only name server ids), because commands, URLs,
 * headers and env often carry credentials.
 */
export type McpServerConfig =
  | {
      transport: 'stdio';
      command: string;
      args?: string[];
      /** Added to the SDK's safe default environment (PATH, HOME…), never the whole process env. */
      env?: Record<string, string>;
      cwd?: string;
      callTimeoutMs?: number;
      connectTimeoutMs?: number;
      /** Tools of the server sessions may use (a link can narrow it further); absent = all. */
      allowedTools?: string[];
    }
  | {
      transport: 'http';
      url: string;
      headers?: Record<string, string>;
      /** Connect only to public internet addresses (web_fetch's guard, checked at connect time). */
      publicAddressesOnly?: boolean;
      callTimeoutMs?: number;
      connectTimeoutMs?: number;
      /** Tools of the server sessions may use (a link can narrow it further); absent = all. */
      allowedTools?: string[];
    };

export interface McpServerRegistry {
  get(serverId: string): Promise<McpServerConfig | undefined> | McpServerConfig | undefined;
}

/** A registry over a fixed map, for embedded use and tests. */
export class StaticMcpServerRegistry implements McpServerRegistry {
  private readonly servers: Map<string, McpServerConfig>;

  constructor(servers: Record<string, McpServerConfig> = {}) {
    this.servers = new Map(Object.entries(servers));
  }

  get(serverId: string): McpServerConfig | undefined {
    return this.servers.get(serverId);
  }

  set(serverId: string, config: McpServerConfig): void {
    this.servers.set(serverId, config);
  }
}
