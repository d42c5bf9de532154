// The Restate endpoint in its own process, so a test can SIGKILL it mid-run. Configured like
// `lightspeed serve --engine restate`: RESTATE_ADMIN_URL and LIGHTSPEED_POSTGRES_URL; plus
// ENDPOINT_PORT (the same port on every restart, so Restate retries its invocations there),
// FAKE_PROVIDER_URL, TOOL_JOURNAL, STEP_DELAY_MS and REAL_TOOLS.
import '../../src/polyfills.js';
import { ProviderRegistry, ProviderRouter } from '@lightspeed/llm';
import { openStorage } from '@lightspeed/store-sql';
import { restateSettingsFromEnv, serveRestateEndpoint } from '../../src/index.js';
import { createToolPortFactory } from '@lightspeed/tools';
import { controlTools } from './control-tools.js';

const env = process.env;
const storage = await openStorage({ kind: 'postgres', url: env.LIGHTSPEED_POSTGRES_URL! });
const llm = new ProviderRouter(new ProviderRegistry({ providers: [], fake: { baseUrl: env.FAKE_PROVIDER_URL! } }, {}));
await serveRestateEndpoint({
  stores: storage,
  llm,
  // REAL_TOOLS=1: the shipped tool runtime (ask_user, sleep…) instead of the controlled `step` tools.
  tools: env.REAL_TOOLS === '1' ? createToolPortFactory().factory : controlTools({ journal: env.TOOL_JOURNAL!, stepDelayMs: Number(env.STEP_DELAY_MS ?? 0) }),
  retry: { maxAttempts: 4, initialDelayMs: 5, maxDelayMs: 20, multiplier: 2, maxTotalMs: 5_000 },
  port: Number(env.ENDPOINT_PORT),
  adminUrl: restateSettingsFromEnv(env).adminUrl,
});
process.stdout.write('ready\n');
