import { createEmbedder, FakeEmbedder } from '@lightspeed/memory';
import { LightspeedError, type Embedder } from '@lightspeed/ports';
import { ServerConfigError, type ServerConfig } from '../server-config/server-config.js';

/**
 * The embedder memory search uses (issue 17): the one place a configured embedder becomes an
 * `Embedder`. The config file's `memory.embedder` (an OpenAI-compatible endpoint, the local model,
 * the fake), else the fake provider's deterministic vectors under `--provider fake` (so a fake
 * server searches all three paths), else none: search runs lexical + entity and says so, and no
 * indexer starts. An unset key variable is a located problem of the file.
 */
export function memoryEmbedderFor(config: ServerConfig | undefined, env: NodeJS.ProcessEnv, provider?: string): Embedder | undefined {
  const chosen = config?.memoryEmbedder;
  if (!chosen) return provider === 'fake' ? new FakeEmbedder() : undefined;
  try {
    return createEmbedder(chosen, env);
  } catch (error) {
    if (!(error instanceof LightspeedError) || !config) throw error;
    const field = typeof error.details?.field === 'string' ? error.details.field.split('.') : ['memory', 'embedder'];
    throw new ServerConfigError([config.problemAt(field, error.message.replace(/^memory\.embedder\.\w+: /, ''))]);
  }
}
