import { MemoryBlobStore } from '@lightspeed/cas';
import { EmbeddedHost } from '@lightspeed/host-embedded';
import { startFakeProvider, type FakeProvider } from '@lightspeed/fake-provider';
import { ProviderRegistry, ProviderRouter } from '@lightspeed/llm';
import type { BlobStore, LiveChannel, LiveMessage, SessionStore, WorkspaceStore } from '@lightspeed/ports';
import { MemoryLiveChannel, MemorySessionStore } from '@lightspeed/store-memory';
import { ToolRuntime, type McpServerRegistry } from '@lightspeed/tools';
import { MemoryWorkspaceStore } from '@lightspeed/vfs';

/** The host's live channel, counting open subscriptions so tests can see them released. */
export class CountingLiveChannel implements LiveChannel {
  private readonly inner = new MemoryLiveChannel();
  active = 0;

  publish(message: LiveMessage): void {
    this.inner.publish(message);
  }

  subscribe(sessionId: string, listener: (message: LiveMessage) => void): () => void {
    const unsubscribe = this.inner.subscribe(sessionId, listener);
    this.active += 1;
    let open = true;
    return () => {
      if (open) this.active -= 1;
      open = false;
      unsubscribe();
    };
  }
}

export interface TestHost {
  host: EmbeddedHost;
  live: CountingLiveChannel;
  fake: FakeProvider;
  stop(): Promise<void>;
}

/**
 * The real embedded host over in-memory stores, with the scripted fake provider behind the real
 * provider router (OpenAI Responses adapter) and the real tool runtime.
 */
export async function startTestHost(
  options: {
    latencyMs?: number;
    wrapSessions?: (store: SessionStore) => SessionStore;
    mcpServersOf?: (universe: string) => McpServerRegistry;
    /** The universes' CAS and workspaces (e.g. a SQL storage's); default: in memory. */
    blobsOf?: (universe: string) => BlobStore;
    workspacesOf?: (universe: string) => WorkspaceStore;
  } = {},
): Promise<TestHost> {
  const fake = await startFakeProvider({ latencyMs: options.latencyMs ?? 0 });
  const registry = new ProviderRegistry({ providers: [], fake: { baseUrl: fake.url } }, {});
  const per = <T>(make: () => T) => {
    const all = new Map<string, T>();
    return (universe: string): T => {
      if (!all.has(universe)) all.set(universe, make());
      return all.get(universe)!;
    };
  };
  const wrap = options.wrapSessions ?? ((store: SessionStore) => store);
  const sessions = per<SessionStore>(() => wrap(new MemorySessionStore()));
  const blobs = options.blobsOf ?? per<BlobStore>(() => new MemoryBlobStore());
  const workspaces = options.workspacesOf ?? per<WorkspaceStore>(() => new MemoryWorkspaceStore());
  const runtimes = new Map<string, ToolRuntime>();
  const live = new CountingLiveChannel();
  const host = await EmbeddedHost.start({
    live,
    stores: { sessions, blobs, workspaces, activeSessions: async () => [] },
    llm: new ProviderRouter(registry),
    // One tool runtime per universe, over that universe's stores.
    tools: ({ universe }) => {
      const mcpServers = options.mcpServersOf?.(universe);
      if (!runtimes.has(universe)) runtimes.set(universe, new ToolRuntime({ blobs: blobs(universe), workspaces: workspaces(universe), ...(mcpServers ? { mcpServers } : {}) }));
      return runtimes.get(universe)!;
    },
  });
  return {
    host,
    live,
    fake,
    stop: async () => {
      await host.close();
      // Closing the runtimes ends their MCP connections (stdio children, HTTP sessions).
      await Promise.all([...runtimes.values()].map((runtime) => runtime.close()));
      await fake.stop();
    },
  };
}
