import { connectTemporalHost, connectTemporalWorker, temporalSettingsFromEnv, type TemporalWorker } from '@lightspeed/host-temporal';
import { isLightspeedError, type HeadSignal, type LiveChannel } from '@lightspeed/ports';
import { MemoryHeadSignal, MemoryLiveChannel } from '@lightspeed/store-memory';
import { PostgresLiveChannel } from '@lightspeed/store-sql';
import { CliError, usageError } from '../cli-error.js';
import type { EngineModule } from './engine-module.js';

/** Which half of the Temporal host this process runs: `LIGHTSPEED_TEMPORAL_ROLE` (set by `lightspeed worker` / `lightspeed gateway`). */
export type TemporalRole = 'both' | 'worker' | 'gateway';

function roleOf(env: NodeJS.ProcessEnv): TemporalRole {
  const role = env.LIGHTSPEED_TEMPORAL_ROLE || 'both';
  if (role !== 'both' && role !== 'worker' && role !== 'gateway') throw usageError(`LIGHTSPEED_TEMPORAL_ROLE must be both, worker or gateway, got "${role}"`);
  return role;
}

/**
 * Sessions are Temporal workflows (one per session) driven by a worker; the gateway submits through
 * Updates and reads the shared SQL store. `serve` runs both halves here; `worker` and `gateway` run
 * one each, in which case the store must be PostgreSQL (LIGHTSPEED_POSTGRES_URL), which also
 * carries token deltas from workers to gateways (LISTEN/NOTIFY).
 */
export const temporalEngine: EngineModule = {
  name: 'temporal',
  description: 'one Temporal workflow per session (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, LIGHTSPEED_TASK_QUEUE); `lightspeed worker` / `lightspeed gateway` split it',
  async startHost({ storage, llm, tools, env }) {
    if (!storage.sql) {
      throw usageError('the temporal engine needs durable storage: workflows rehydrate sessions from the store', 'use --data-dir DIR or LIGHTSPEED_POSTGRES_URL instead of :memory:');
    }
    const role = roleOf(env);
    const url = env.LIGHTSPEED_POSTGRES_URL;
    if (role !== 'both' && !url) throw usageError(`a separate temporal ${role} needs a store shared between processes`, 'set LIGHTSPEED_POSTGRES_URL');
    const settings = temporalSettingsFromEnv(env);
    const closers: (() => Promise<void>)[] = [];
    const close = async () => {
      for (const closer of closers.reverse()) await closer().catch(() => undefined);
    };
    try {
      // Deltas and head signals (which wake waiting readers) cross processes through PostgreSQL.
      let live: LiveChannel;
      let heads: HeadSignal;
      if (url) {
        const channel = await PostgresLiveChannel.connect({ url });
        closers.push(() => channel.close());
        live = channel;
        heads = channel.headSignal;
      } else {
        live = new MemoryLiveChannel();
        heads = new MemoryHeadSignal();
      }
      let worker: TemporalWorker | undefined;
      if (role !== 'gateway') {
        worker = await connectTemporalWorker(settings, { stores: storage.stores, llm, tools, live, heads });
        closers.push(() => worker!.shutdown());
      }
      // The worker role keeps a client host too: the tool runtime reads session facts through it.
      const host = await connectTemporalHost(settings, { stores: storage.stores, live, heads, llm });
      closers.push(() => host.close());
      return { host, close };
    } catch (error) {
      await close();
      const message = isLightspeedError(error) || error instanceof Error ? error.message : String(error);
      throw new CliError(`cannot start the temporal engine: ${message}`, undefined, 'start a Temporal server (e.g. `temporal server start-dev`) and set TEMPORAL_ADDRESS / TEMPORAL_NAMESPACE');
    }
  },
};
