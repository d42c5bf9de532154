// A session worker in its own process, so a test can SIGKILL it mid-run. Configured like
// `lightspeed worker`: TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, LIGHTSPEED_TASK_QUEUE and
// LIGHTSPEED_POSTGRES_URL; plus FAKE_PROVIDER_URL, TOOL_JOURNAL, STEP_DELAY_MS, REAL_TOOLS and
// WORKFLOW_BUNDLE (a pre-built bundle file, so each process does not bundle again).
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { ProviderRegistry, ProviderRouter } from '@lightspeed/llm';
import { openStorage } from '@lightspeed/store-sql';
import { PostgresLiveChannel } from '@lightspeed/store-sql';
import { connectTemporalWorker, temporalSettingsFromEnv } from '../../src/index.js';
import { createToolPortFactory } from '@lightspeed/tools';
import { controlTools } from './control-tools.js';

const env = process.env;
Runtime.install({ logger: new DefaultLogger('WARN') });
const storage = await openStorage({ kind: 'postgres', url: env.LIGHTSPEED_POSTGRES_URL! });
const llm = new ProviderRouter(new ProviderRegistry({ providers: [], fake: { baseUrl: env.FAKE_PROVIDER_URL! } }, {}));
// Token deltas reach gateways in other processes through LISTEN/NOTIFY.
const live = await PostgresLiveChannel.connect({ url: env.LIGHTSPEED_POSTGRES_URL! });
const worker = await connectTemporalWorker(temporalSettingsFromEnv(env), {
  stores: storage,
  live,
  heads: live.headSignal,
  llm,
  // REAL_TOOLS=1: the shipped tool runtime (ask_user, sleep…) instead of the controlled `step` tools.
  tools: env.REAL_TOOLS === '1' ? createToolPortFactory().factory : controlTools({ journal: env.TOOL_JOURNAL!, stepDelayMs: Number(env.STEP_DELAY_MS ?? 0) }),
  retry: { maxAttempts: 4, initialDelayMs: 5, maxDelayMs: 20, multiplier: 2, maxTotalMs: 5_000 },
  workflowBundle: { codePath: env.WORKFLOW_BUNDLE! },
});
process.stdout.write('ready\n');
await worker.running;
