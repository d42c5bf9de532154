import type { Embedder } from '@lightspeed/ports';
import type { ServerConfig } from '../server-config/server-config.js';

/**
 * The embedder memory search uses (issue 17): the one place a configured embedder (an
 * OpenAI-compatible endpoint, the local model, the fake provider) becomes an `Embedder`. None is
 * configurable yet, so search runs lexical + entity and its explanation says so; the background
 * indexer starts only when this returns one.
 */
export function memoryEmbedderFor(_config: ServerConfig | undefined, _env: NodeJS.ProcessEnv): Embedder | undefined {
  return undefined;
}
