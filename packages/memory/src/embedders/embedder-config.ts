import { LightspeedError, type Embedder } from '@lightspeed/ports';
import { z } from 'zod';
import { FakeEmbedder } from './fake-embedder.js';
import { LOCAL_MODEL, LocalEmbedder } from './local-embedder.js';
import { OpenAICompatibleEmbedder } from './openai-compatible-embedder.js';

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const dimensions = () => z.number().int().min(1).max(16_384);

/**
 * `memory.embedder` of the server config (docs/server-config.md): which model turns events and
 * queries into vectors. Strict objects: an unknown field is refused, naming it.
 */
export const EmbedderConfigSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('openai-compatible'),
    /** The endpoint's base, e.g. `https://api.openai.com/v1`; `/embeddings` is appended. */
    baseUrl: z.url({ protocol: /^https?$/, error: 'an http:// or https:// URL' }),
    model: z.string().min(1),
    /** The NAME of the environment variable holding the key (never the key). Absent: the server needs none. */
    apiKeyEnv: z.string().regex(ENV_NAME, 'an environment variable name').optional(),
    /** The vector size; required unless the model is one of OpenAI's. For text-embedding-3-* it is also requested (a shortened vector). */
    dimensions: dimensions().optional(),
  }),
  z.strictObject({
    kind: z.literal('local'),
    model: z.literal(LOCAL_MODEL).optional(),
    /** Default `$LIGHTSPEED_CACHE/models` or `~/.cache/lightspeed/models` (where scripts/setup.d/minilm.sh puts it). */
    cacheDir: z.string().min(1).optional(),
  }),
  z.strictObject({
    kind: z.literal('fake'),
    dimensions: dimensions().optional(),
  }),
]);
export type EmbedderConfig = z.output<typeof EmbedderConfigSchema>;

/**
 * The embedder a config names. The API key is read here from the variable the config names; a
 * variable that is unset is an error naming the field and the variable (not its value).
 */
export function createEmbedder(config: EmbedderConfig, env: NodeJS.ProcessEnv = process.env): Embedder {
  switch (config.kind) {
    case 'fake':
      return new FakeEmbedder(config.dimensions);
    case 'local':
      return new LocalEmbedder(config.cacheDir ? { cacheDir: config.cacheDir } : {});
    case 'openai-compatible': {
      let apiKey: string | undefined;
      if (config.apiKeyEnv !== undefined) {
        apiKey = env[config.apiKeyEnv];
        if (!apiKey) throw new LightspeedError('invalid', `memory.embedder.apiKeyEnv: the environment variable ${config.apiKeyEnv} is not set`, { field: 'memory.embedder.apiKeyEnv' });
      }
      return new OpenAICompatibleEmbedder({
        baseUrl: config.baseUrl,
        model: config.model,
        ...(apiKey ? { apiKey } : {}),
        ...(config.dimensions ? { dimensions: config.dimensions } : {}),
      });
    }
  }
}
