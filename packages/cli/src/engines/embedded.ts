import { EmbeddedHost } from '@lightspeed/host-embedded';
import type { EngineModule } from './engine-module.js';

/** Sessions run as async loops in this process over the CLI's storage. */
export const embeddedEngine: EngineModule = {
  name: 'embedded',
  description: 'in-process durable host over PGlite or PostgreSQL (the default)',
  async startHost({ storage, llm, tools }) {
    const host = await EmbeddedHost.start({ stores: storage.stores, llm, tools });
    return { host, close: () => host.close() };
  },
};
