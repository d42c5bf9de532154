import { RestateAgentHost, restateSettingsFromEnv, startRestateHost } from '@lightspeed/host-restate';
import { isLightspeedError } from '@lightspeed/ports';
import { PostgresLiveChannel } from '@lightspeed/store-sql';
import { CliError, usageError } from '../cli-error.js';
import type { EngineModule } from './engine-module.js';

/** Restate invokes its SDK endpoints on 9080 by convention. */
const DEFAULT_ENDPOINT_PORT = 9080;

/** Whether this process serves the Restate endpoint: `LIGHTSPEED_RESTATE_ROLE` (`lightspeed gateway` sets `gateway`). */
type RestateRole = 'both' | 'gateway';

function roleOf(env: NodeJS.ProcessEnv): RestateRole {
  const role = env.LIGHTSPEED_RESTATE_ROLE || 'both';
  if (role !== 'both' && role !== 'gateway') throw usageError(`LIGHTSPEED_RESTATE_ROLE must be both or gateway, got "${role}"`);
  return role;
}

/**
 * Sessions are Restate virtual objects. This process serves the Restate endpoint (on a fixed port,
 * so invocations in flight when it stopped resume when it comes back), registers it with the
 * server's admin API and submits through the ingress; the log stays in the CLI's SQL storage. With
 * LIGHTSPEED_POSTGRES_URL, token deltas, head wake-ups and effect aborts cross processes through
 * PostgreSQL, so `lightspeed gateway --engine restate` (no endpoint) and several endpoint processes
 * serve the same sessions.
 */
export const restateEngine: EngineModule = {
  name: 'restate',
  description: 'sessions as Restate virtual objects (RESTATE_ADMIN_URL, RESTATE_INGRESS_URL; endpoint on LIGHTSPEED_RESTATE_ENDPOINT_PORT, default 9080)',
  async startHost({ storage, llm, tools, env }) {
    if (!storage.sql) {
      throw usageError("the restate engine needs durable storage: Restate keeps each session's head, so the log must outlive the process", 'use --data-dir DIR or LIGHTSPEED_POSTGRES_URL instead of :memory:');
    }
    const role = roleOf(env);
    const url = env.LIGHTSPEED_POSTGRES_URL;
    if (role === 'gateway' && !url) throw usageError('a separate restate gateway needs a store shared with the endpoint processes', 'set LIGHTSPEED_POSTGRES_URL');
    const settings = restateSettingsFromEnv(env);
    let channel: PostgresLiveChannel | undefined;
    try {
      channel = url ? await PostgresLiveChannel.connect({ url }) : undefined;
      const shared = channel ? { live: channel, heads: channel.headSignal, aborts: channel.effectAborts } : {};
      if (role === 'gateway') {
        const host = new RestateAgentHost({ ingressUrl: settings.ingressUrl, stores: storage.stores, llm, ...shared });
        return { host, close: () => closeAll(host, channel) };
      }
      const { host } = await startRestateHost({
        stores: storage.stores,
        llm,
        tools,
        adminUrl: settings.adminUrl,
        ingressUrl: settings.ingressUrl,
        port: endpointPort(env.LIGHTSPEED_RESTATE_ENDPOINT_PORT),
        ...(env.LIGHTSPEED_RESTATE_ENDPOINT_URL ? { advertisedUrl: env.LIGHTSPEED_RESTATE_ENDPOINT_URL } : {}),
        ...shared,
      });
      return { host, close: () => closeAll(host, channel) };
    } catch (error) {
      await channel?.close();
      if (error instanceof CliError) throw error;
      const message = isLightspeedError(error) || error instanceof Error ? error.message : String(error);
      throw new CliError(`cannot start the restate engine: ${message}`, undefined, 'start a Restate server (restate-server) and set RESTATE_ADMIN_URL / RESTATE_INGRESS_URL; set LIGHTSPEED_RESTATE_ENDPOINT_PORT if 9080 is taken');
    }
  },
};

async function closeAll(host: RestateAgentHost, channel: PostgresLiveChannel | undefined): Promise<void> {
  await host.close();
  await channel?.close();
}

function endpointPort(value: string | undefined): number {
  if (value === undefined || value === '') return DEFAULT_ENDPOINT_PORT;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw usageError('LIGHTSPEED_RESTATE_ENDPOINT_PORT must be a port number (0-65535)');
  return port;
}
