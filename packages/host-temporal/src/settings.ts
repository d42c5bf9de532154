import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection } from '@temporalio/worker';
import { LightspeedError } from '@lightspeed/ports';
import { TemporalAgentHost, type TemporalAgentHostOptions } from './temporal-agent-host.js';
import { installTemporalRuntime, startTemporalWorker, type TemporalWorker, type TemporalWorkerOptions } from './worker.js';

/** Where the Temporal server is and which queue session workflows use. */
export interface TemporalSettings {
  address: string;
  namespace: string;
  taskQueue: string;
}

export const DEFAULT_TASK_QUEUE = 'lightspeed-sessions';

/** `TEMPORAL_ADDRESS` (default `localhost:7233`), `TEMPORAL_NAMESPACE` (`default`), `LIGHTSPEED_TASK_QUEUE`. */
export function temporalSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): TemporalSettings {
  return {
    address: env.TEMPORAL_ADDRESS || 'localhost:7233',
    namespace: env.TEMPORAL_NAMESPACE || 'default',
    taskQueue: env.LIGHTSPEED_TASK_QUEUE || DEFAULT_TASK_QUEUE,
  };
}

function unavailable(settings: TemporalSettings, error: unknown): LightspeedError {
  const reason = error instanceof Error ? error.message : String(error);
  return new LightspeedError('unavailable', `cannot reach the Temporal server at ${settings.address} (namespace ${settings.namespace}): ${reason}; set TEMPORAL_ADDRESS / TEMPORAL_NAMESPACE`);
}

/** A TemporalAgentHost over its own client connection (closed with the host). */
export async function connectTemporalHost(settings: TemporalSettings, options: Omit<TemporalAgentHostOptions, 'client' | 'taskQueue' | 'onClose'>): Promise<TemporalAgentHost> {
  let connection: Connection;
  try {
    connection = await Connection.connect({ address: settings.address });
  } catch (error) {
    throw unavailable(settings, error);
  }
  const client = new Client({ connection, namespace: settings.namespace });
  return new TemporalAgentHost({ ...options, client, taskQueue: settings.taskQueue, onClose: () => connection.close() });
}

/** A session worker over its own native connection (closed on shutdown). */
export async function connectTemporalWorker(settings: TemporalSettings, options: Omit<TemporalWorkerOptions, 'connection' | 'namespace' | 'taskQueue'>): Promise<TemporalWorker> {
  installTemporalRuntime();
  let connection: NativeConnection;
  let clientConnection: Connection;
  try {
    connection = await NativeConnection.connect({ address: settings.address });
  } catch (error) {
    throw unavailable(settings, error);
  }
  try {
    // Activities reach other sessions' workflows (sub-agents) through a client of their own.
    clientConnection = await Connection.connect({ address: settings.address });
  } catch (error) {
    await connection.close();
    throw unavailable(settings, error);
  }
  const client = new Client({ connection: clientConnection, namespace: settings.namespace });
  try {
    const worker = await startTemporalWorker({ logger: new DefaultLogger('WARN'), client, ...options, connection, namespace: settings.namespace, taskQueue: settings.taskQueue });
    return {
      worker: worker.worker,
      running: worker.running,
      async shutdown() {
        await worker.shutdown();
        await connection.close();
        await clientConnection.close();
      },
    };
  } catch (error) {
    await connection.close();
    await clientConnection.close();
    throw error;
  }
}
