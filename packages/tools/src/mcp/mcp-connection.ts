import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { ToolListChangedNotificationSchema, type CallToolResult, type Tool } from '@modelcontextprotocol/sdk/types.js';
import { LightspeedError } from '@lightspeed/ports';
import { Agent, fetch as undiciFetch } from 'undici';
import { guardedConnector } from '../web/guarded-connector.js';
import { HostAllowList } from '../web/host-allow-list.js';
import type { McpServerConfig } from './mcp-server-config.js';

const DEFAULT_CALL_TIMEOUT_MS = 60_000;
const DEFAULT_CONNECT_TIMEOUT_MS = 30_000;

/**
 * One client connection to one MCP server, opened lazily and re-opened after the server goes
 * away (a crashed stdio child, a dropped HTTP session). The tool listing is cached until the server
 * says it changed (`notifications/tools/list_changed`).
 */
export class McpConnection {
  private client: Client | undefined;
  private connecting: Promise<Client> | undefined;
  private tools: Tool[] | undefined;
  private stderrTail = '';
  private agent: Agent | undefined;
  private readonly listeners = new Set<() => void>();

  constructor(
    readonly serverId: string,
    readonly config: McpServerConfig,
  ) {}

  /** Called when the server's tool list changed (the runtime re-resolves affected sessions). */
  onToolsChanged(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get connected(): boolean {
    return this.client !== undefined;
  }

  async listTools(): Promise<Tool[]> {
    if (this.tools) return this.tools;
    const client = await this.connect();
    const tools: Tool[] = [];
    let cursor: string | undefined;
    do {
      const page = await client.listTools(cursor ? { cursor } : {}, { timeout: this.config.callTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS });
      tools.push(...page.tools);
      cursor = page.nextCursor;
    } while (cursor);
    this.tools = tools;
    return tools;
  }

  /** Calls a tool. Protocol errors, timeouts and crashes throw; the caller turns them into results. */
  async callTool(name: string, args: Record<string, unknown>, signal?: AbortSignal): Promise<CallToolResult> {
    const client = await this.connect();
    const result = await client.callTool({ name, arguments: args }, undefined, {
      timeout: this.config.callTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS,
      ...(signal ? { signal } : {}),
    });
    return result as CallToolResult;
  }

  /** Recent stderr of a stdio server, for diagnosing a crash. */
  get diagnostics(): string {
    return this.stderrTail;
  }

  async close(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    this.connecting = undefined;
    this.tools = undefined;
    await client?.close().catch(() => undefined);
    const agent = this.agent;
    this.agent = undefined;
    await agent?.close().catch(() => undefined);
  }

  private connect(): Promise<Client> {
    if (this.client) return Promise.resolve(this.client);
    this.connecting ??= this.open().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private async open(): Promise<Client> {
    const client = new Client({ name: 'lightspeed', version: '0.1.0' }, { capabilities: {} });
    client.setNotificationHandler(ToolListChangedNotificationSchema, async () => {
      this.tools = undefined;
      for (const listener of this.listeners) listener();
    });
    const transport = this.transport();
    client.onclose = () => {
      if (this.client === client) {
        this.client = undefined;
        this.tools = undefined;
      }
    };
    const timeoutMs = this.config.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    try {
      await client.connect(transport, { timeout: timeoutMs });
    } catch (error) {
      await client.close().catch(() => undefined);
      // fetch reports "fetch failed" and keeps the reason (a refused address, ECONNREFUSED) in `cause`.
      const cause = (error as { cause?: { message?: unknown } }).cause?.message;
      const reason = `${(error as Error).message}${typeof cause === 'string' && cause !== '' ? ` (${cause})` : ''}`;
      throw new LightspeedError('unavailable', `could not connect to MCP server ${this.serverId}: ${reason}`, { serverId: this.serverId });
    }
    this.client = client;
    this.tools = undefined;
    return client;
  }

  private transport(): Transport {
    if (this.config.transport === 'stdio') {
      const transport = new StdioClientTransport({
        command: this.config.command,
        args: this.config.args ?? [],
        ...(this.config.env ? { env: this.config.env } : {}),
        ...(this.config.cwd ? { cwd: this.config.cwd } : {}),
        stderr: 'pipe',
      });
      transport.stderr?.on('data', (chunk: Buffer) => {
        this.stderrTail = (this.stderrTail + chunk.toString('utf8')).slice(-2000);
      });
      return transport;
    }
    const guarded = this.config.publicAddressesOnly ? this.guardedFetch() : undefined;
    return new StreamableHTTPClientTransport(new URL(this.config.url), {
      requestInit: { headers: this.config.headers ?? {} },
      ...(guarded ? { fetch: guarded } : {}),
    });
  }

  /** A fetch whose every socket goes through web_fetch's address guard (redirect hops included). */
  private guardedFetch(): (url: string | URL, init?: RequestInit) => Promise<Response> {
    this.agent ??= new Agent({ connect: guardedConnector(HostAllowList.parse([])) });
    const dispatcher = this.agent;
    return (url, init) => undiciFetch(url, { ...(init as object), dispatcher }) as unknown as Promise<Response>;
  }
}
