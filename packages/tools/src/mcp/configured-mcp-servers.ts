import { LightspeedError, type McpServerCatalog, type McpServerDocument, type McpServerRecord, type McpServerStore } from '@lightspeed/ports';

/**
 * A universe's MCP servers with the server config file's registrations laid over the stored ones.
 * The file is the operator's: its servers are read-only through the API (a put or delete of one is
 * `forbidden`, naming the file) and shadow a stored record of the same id. They are not written to
 * the store, so removing one from the file removes it at the next start, with nothing left behind.
 */
export class ConfiguredMcpServerStore implements McpServerStore {
  constructor(
    private readonly stored: McpServerStore,
    private readonly configured: ReadonlyMap<string, McpServerRecord>,
    private readonly source: string,
  ) {}

  async get(serverId: string): Promise<McpServerRecord | undefined> {
    const record = this.configured.get(serverId);
    return record ? structuredClone(record) : this.stored.get(serverId);
  }

  async put(document: McpServerDocument, expectedRevision?: number): Promise<McpServerRecord> {
    this.refuseConfigured(document.serverId);
    return this.stored.put(document, expectedRevision);
  }

  async list(): Promise<McpServerRecord[]> {
    const stored = (await this.stored.list()).filter((record) => !this.configured.has(record.document.serverId));
    return [...stored, ...[...this.configured.values()].map((record) => structuredClone(record))].sort((a, b) => (a.document.serverId < b.document.serverId ? -1 : a.document.serverId > b.document.serverId ? 1 : 0));
  }

  async delete(serverId: string): Promise<McpServerRecord> {
    this.refuseConfigured(serverId);
    return this.stored.delete(serverId);
  }

  private refuseConfigured(serverId: string): void {
    if (this.configured.has(serverId)) {
      throw new LightspeedError('forbidden', `MCP server ${serverId} is defined in the server config file ${this.source}; change it there and restart the server`, { serverId });
    }
  }
}

/**
 * Lays `documents` (from the server config file at `source`) over every universe of `catalog`.
 * Each configured server is revision 1, created when the file was loaded (`now`).
 */
export function withConfiguredMcpServers(catalog: McpServerCatalog, documents: readonly McpServerDocument[], source: string, now: number): McpServerCatalog {
  if (documents.length === 0) return catalog;
  const configured = new Map(documents.map((document) => [document.serverId, { document, revision: 1, createdAt: now, updatedAt: now } satisfies McpServerRecord]));
  return (universe) => new ConfiguredMcpServerStore(catalog(universe), configured, source);
}
