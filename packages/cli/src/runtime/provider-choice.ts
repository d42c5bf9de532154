import type { ApiKind, ModelSelection } from '@lightspeed/engine';
import type { ProviderRegistry } from '@lightspeed/llm';
import { CliError, usageError } from '../cli-error.js';

/** Models a new session gets when `--model` is not given. */
export const DEFAULT_MODELS = {
  fake: 'fake-model',
  openai: 'gpt-5-mini',
  anthropic: 'claude-sonnet-4-5',
} as const;

export const NO_PROVIDER_HINT =
  'set OPENAI_API_KEY or ANTHROPIC_API_KEY (e.g. `export OPENAI_API_KEY=sk-…`), or try the whole path offline with `--provider fake` (a scripted echo model, not a real LLM)';

/** What the user asked for on the command line. */
export interface ProviderRequest {
  provider?: string;
  model?: string;
}

/**
 * Picks the default model for new sessions from `--provider`/`--model` and the environment. With
 * no flag, a present OPENAI_API_KEY wins over ANTHROPIC_API_KEY; with neither, `required` decides
 * between an error that says how to set a key and "no default model".
 */
export function chooseDefaultModel(request: ProviderRequest, registry: ProviderRegistry, env: NodeJS.ProcessEnv, required: boolean): ModelSelection | undefined {
  const provider = request.provider ?? (env.OPENAI_API_KEY ? 'openai' : env.ANTHROPIC_API_KEY ? 'anthropic' : undefined);
  if (provider === undefined) {
    if (!required) return undefined;
    throw new CliError('no LLM provider is configured', 2, NO_PROVIDER_HINT);
  }
  const builtin = (apiKind: ApiKind, keyEnv: string, model: string): ModelSelection => {
    if (keyEnv && !env[keyEnv]) throw new CliError(`--provider ${provider} needs ${keyEnv}`, 2, `export ${keyEnv}=… first, or use \`--provider fake\` (a scripted echo model, not a real LLM)`);
    return { providerId: provider, apiKind, model: request.model ?? model };
  };
  if (provider === 'fake') return builtin('openai:responses', '', DEFAULT_MODELS.fake);
  if (provider === 'openai') return builtin('openai:responses', 'OPENAI_API_KEY', DEFAULT_MODELS.openai);
  if (provider === 'anthropic') return builtin('anthropic:messages', 'ANTHROPIC_API_KEY', DEFAULT_MODELS.anthropic);
  const configured = registry.get(provider);
  if (!configured) {
    const known = ['fake', ...registry.list().map((entry) => entry.id).filter((id) => id !== 'fake')];
    throw usageError(`unknown provider "${provider}"`, `use one of: ${known.join(', ')} (custom providers come from providers.json in the data directory)`);
  }
  if (!registry.hasCredentials(configured)) throw new CliError(`provider "${provider}" has no API key`, 2, `set ${configured.apiKeyEnv ?? 'its key variable'}`);
  const model = request.model ?? configured.models[0];
  if (!model) throw usageError(`provider "${provider}" lists no models`, 'pass --model <id>');
  return { providerId: provider, apiKind: configured.apiKinds[0]!, model };
}
