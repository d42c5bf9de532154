import { HeadSignal } from './head-signal.js';
import { serveRestateEndpoint, type RestateEndpointHandle, type ServeRestateOptions } from './endpoint.js';
import { MemoryLiveChannel } from '@lightspeed/driver';
import { RestateAgentHost } from './restate-host.js';
import { SessionStateCache } from './state-cache.js';

export interface StartRestateHostOptions extends Omit<ServeRestateOptions, 'adminUrl' | 'live' | 'heads' | 'cache'> {
  adminUrl: string;
  ingressUrl: string;
}

export interface StartedRestateHost {
  host: RestateAgentHost;
  endpoint: RestateEndpointHandle;
}

/**
 * The single-process arrangement (`lightspeed serve --engine restate`): this process serves the
 * endpoint, registers it with the Restate server and talks to the ingress; live deltas, head
 * wake-ups and the state cache are shared in memory. Closing the host stops the endpoint.
 */
export async function startRestateHost(options: StartRestateHostOptions): Promise<StartedRestateHost> {
  const live = new MemoryLiveChannel();
  const heads = new HeadSignal();
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
