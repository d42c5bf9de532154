import { serveRestateEndpoint, type RestateEndpointHandle, type ServeRestateOptions } from './endpoint.js';
import { RestateAgentHost } from './restate-host.js';
import { SessionStateCache } from '@lightspeed/driver';
import { MemoryHeadSignal, MemoryLiveChannel } from '@lightspeed/store-memory';

export interface StartRestateHostOptions extends Omit<ServeRestateOptions, 'adminUrl' | 'cache'> {
  adminUrl: string;
  ingressUrl: string;
}

export interface StartedRestateHost {
  host: RestateAgentHost;
  endpoint: RestateEndpointHandle;
}

/**
 * `lightspeed serve --engine restate`: this process serves the endpoint, registers it with the
 * Restate server and talks to the ingress. Live deltas and head wake-ups are shared in memory unless
 * `live`/`heads` (and `aborts`) are given — a PostgresLiveChannel when several processes serve or
 * read the same sessions. Closing the host stops the endpoint.
 */
export async function startRestateHost(options: StartRestateHostOptions): Promise<StartedRestateHost> {
  const live = options.live ?? new MemoryLiveChannel();
  const heads = options.heads ?? new MemoryHeadSignal();
  const cache = new SessionStateCache(options.stores);
  const endpoint = await serveRestateEndpoint({ ...options, live, heads, cache });
  const host = new RestateAgentHost({
    ingressUrl: options.ingressUrl,
    stores: options.stores,
    llm: options.llm,
    live,
    heads,
    cache,
    onClose: () => endpoint.close(),
  });
  return { host, endpoint };
}
