/**
 * An MCP server registration as stored per universe (the v1 contract's McpServerInput plus our
 * transport extensions). It never holds a secret: credentials are named by the environment
 * variable of the server process that holds them (`bearerTokenEnvVar`, `headersFromEnv`,
 * `stdio.envFromEnv`), and are read only when a connection is opened.
 */
export interface McpServerDocument {
  serverId: string;
  displayName?: string | null;
  description?: string | null;
  defaultServerLabel: string;
  transport: 'streamableHttp' | 'auto' | 'stdio';
  /** HTTP transports: the endpoint. */
  serverUrl?: string;
  /** HTTP transports: non-secret headers sent as they are. */
  headers?: Record<string, string>;
  /** HTTP transports: header name → name of the env var holding its value. */
  headersFromEnv?: Record<string, string>;
  /** HTTP transports: name of the env var holding a bearer token (`Authorization: Bearer …`). */
  bearerTokenEnvVar?: string;
  stdio?: {
    command: string;
    args?: string[];
    /** Non-secret variables, added to the SDK's safe default environment. */
    env?: Record<string, string>;
    /** Child variable name → name of the server process's env var whose value it gets. */
    envFromEnv?: Record<string, string>;
    cwd?: string;
  };
  allowedTools?: string[] | null;
  approvalDefault: 'providerDefault' | 'always' | 'never';
  authPolicy: { type: 'none' | 'optionalBearer' | 'requiredBearer' };
  deferLoadingDefault?: boolean | null;
  status: 'active' | 'needsAuthConfig' | 'unverified' | 'disabled';
  callTimeoutMs?: number;
  connectTimeoutMs?: number;
  /**
   * Set when an untrusted caller (a tenant of a multi-user server) registered it: connections go
   * only to public internet addresses (the web_fetch address guard), never to this server's network.
   */
  publicAddressesOnly?: boolean;
}

export interface McpServerRecord {
  document: McpServerDocument;
  /** 1 on creation, +1 per put. */
  revision: number;
  createdAt: number;
  updatedAt: number;
}

/**
 * MCP server registrations of one universe. `put` creates or replaces; with `expectedRevision` it
 * is a compare-and-set against an existing record (a mismatch throws `conflict`).
 */
export interface McpServerStore {
  get(serverId: string): Promise<McpServerRecord | undefined>;
  put(document: McpServerDocument, expectedRevision?: number): Promise<McpServerRecord>;
  list(): Promise<McpServerRecord[]>;
  /** Removes the record and returns it; `not_found` when there is none. */
  delete(serverId: string): Promise<McpServerRecord>;
}

/** MCP server stores by universe (what a deployment hands the API and the tool runtime). */
export type McpServerCatalog = (universe: string) => McpServerStore;
