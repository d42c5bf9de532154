import { restateSettingsFromEnv, startRestateHost } from '@lightspeed/host-restate';
import { isLightspeedError } from '@lightspeed/ports';
import { CliError, usageError } from '../cli-error.js';
import type { EngineModule } from './engine-module.js';

/** Restate invokes its SDK endpoints on 9080 by convention. */
const DEFAULT_ENDPOINT_PORT = 9080;

/**
 * Sessions are Restate virtual objects. This process serves the Restate endpoint (on a fixed port,
 * so invocations in flight when it stopped resume when it comes back), registers it with the
 * server's admin API and submits through the ingress; the log stays in the CLI's SQL storage.
 */
export const restateEngine: EngineModule = {
  name: 'restate',
  description: 'sessions as Restate virtual objects (RESTATE_ADMIN_URL, RESTATE_INGRESS_URL; endpoint on LIGHTSPEED_RESTATE_ENDPOINT_PORT, default 9080)',
  async startHost({ storage, llm, tools, env }) {
    if (!storage.sql) {
      throw usageError("the restate engine needs durable storage: Restate keeps each session's head, so the log must outlive the process", 'use --data-dir DIR or LIGHTSPEED_POSTGRES_URL instead of :memory:');
    }
    const settings = restateSettingsFromEnv(env);
    const port = endpointPort(env.LIGHTSPEED_RESTATE_ENDPOINT_PORT);
    try {
      const { host } = await startRestateHost({
        stores: storage.stores,
        llm,
        tools,
        adminUrl: settings.adminUrl,
        ingressUrl: settings.ingressUrl,
        port,
        ...(env.LIGHTSPEED_RESTATE_ENDPOINT_URL ? { advertisedUrl: env.LIGHTSPEED_RESTATE_ENDPOINT_URL } : {}),
      });
      return { host, close: () => host.close() };
    } catch (error) {
      const message = isLightspeedError(error) || error instanceof Error ? error.message : String(error);
      throw new CliError(`cannot start the restate engine: ${message}`, undefined, 'start a Restate server (restate-server) and set RESTATE_ADMIN_URL / RESTATE_INGRESS_URL; set LIGHTSPEED_RESTATE_ENDPOINT_PORT if 9080 is taken');
    }
  },
};

function endpointPort(value: string | undefined): number {
  if (value === undefined || value === '') return DEFAULT_ENDPOINT_PORT;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw usageError('LIGHTSPEED_RESTATE_ENDPOINT_PORT must be a port number (0-65535)');
  return port;
}
