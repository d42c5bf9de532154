// `lightspeed worker` in miniature for the dispatch crash test: a Temporal session worker and a
// task dispatcher in one process, over the shared PostgreSQL store, so a test can SIGKILL both at
// once. Env as worker-process.ts, plus DISPATCH_UNIVERSE and DISPATCH_LEASE_MS.
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { createMethodHandlers } from '@lightspeed/api';
import { ProviderRegistry, ProviderRouter } from '@lightspeed/llm';
import { Dispatcher } from '@lightspeed/ops';
import { openStorage, PostgresLiveChannel } from '@lightspeed/store-sql';
import { connectTemporalWorker, TemporalAgentHost, temporalSettingsFromEnv } from '../../src/index.js';
import { controlTools } from './control-tools.js';

const env = process.env;
Runtime.install({ logger: new DefaultLogger('WARN') });
const settings = temporalSettingsFromEnv(env);
const url = env.LIGHTSPEED_POSTGRES_URL!;
const storage = await openStorage({ kind: 'postgres', url });
const llm = new ProviderRouter(new ProviderRegistry({ providers: [], fake: { baseUrl: env.FAKE_PROVIDER_URL! } }, {}));
const live = await PostgresLiveChannel.connect({ url });
const worker = await connectTemporalWorker(settings, {
  stores: storage,
  live,
  heads: live.headSignal,
  llm,
  tools: controlTools({ journal: env.TOOL_JOURNAL!, stepDelayMs: Number(env.STEP_DELAY_MS ?? 0), qualify: true, stamp: true }),
  retry: { maxAttempts: 4, initialDelayMs: 5, maxDelayMs: 20, multiplier: 2, maxTotalMs: 5_000 },
  workflowBundle: { codePath: env.WORKFLOW_BUNDLE! },
});
const connection = await Connection.connect({ address: settings.address });
const host = new TemporalAgentHost({ client: new Client({ connection, namespace: settings.namespace }), taskQueue: settings.taskQueue, stores: storage, live, heads: live.headSignal, llm });
const { taskSessions } = createMethodHandlers(host, { profiles: (universe) => storage.profiles(universe) });
const dispatcher = new Dispatcher({
  host,
  tasks: (universe) => storage.tasks(universe),
  controls: (universe) => storage.dispatch(universe),
  signal: storage.taskSignal,
  sessions: taskSessions,
  universes: [env.DISPATCH_UNIVERSE!],
  leaseMs: Number(env.DISPATCH_LEASE_MS ?? 2000),
  pollMs: 250,
  heartbeatMs: 500,
  maxInFlight: 12,
  onError: (error, where) => process.stderr.write(`dispatcher ${where}: ${(error as Error).message}\n`),
});
dispatcher.start();
process.stdout.write('ready\n');
await worker.running;
