import type { ModelSelection } from '@lightspeed/engine';
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
 * Picks the default model for new sessions from `--provider`/`--model`, then the config file's
 * `defaultModel`, then the environment. With neither, the first of openai and anthropic whose key
 * is set wins; with none, `required` decides between an error that says how to set a key and "no
 * default model". Built-ins follow the registry, so a config that disables one or renames its
 * key variable counts here too.
 */
export function chooseDefaultModel(
  request: ProviderRequest,
  registry: ProviderRegistry,
  env: NodeJS.ProcessEnv,
  required: boolean,
  configured?: { provider: string; model?: string },
): ModelSelection | undefined {
  const fromConfig = request.provider === undefined ? configured : undefined;
  const model = request.model ?? fromConfig?.model;
  const provider =
    request.provider ??
    fromConfig?.provider ??
    (['openai', 'anthropic'] as const).find((id) => {
      const description = registry.get(id);
      return description !== undefined && registry.hasCredentials(description);
    });
  if (provider === undefined) {
    if (!required) return undefined;
    throw new CliError('no LLM provider is configured', 2, NO_PROVIDER_HINT);
  }
  if (provider === 'fake') return { providerId: 'fake', apiKind: 'openai:responses', model: model ?? DEFAULT_MODELS.fake };
  const description = registry.get(provider);
  if (!description) {
    if (provider === 'openai' || provider === 'anthropic') throw new CliError(`provider "${provider}" is disabled by the server config file`, 2, 'remove `enabled: false` from its entry, or choose another --provider');
    const known = ['fake', ...registry.list().map((entry) => entry.id).filter((id) => id !== 'fake')];
    throw usageError(`unknown provider "${provider}"`, `use one of: ${known.join(', ')} (custom providers come from providers.json in the data directory or the server config file)`);
  }
  const builtinModel = provider === 'openai' || provider === 'anthropic' ? DEFAULT_MODELS[provider] : undefined;
  if (!registry.hasCredentials(description)) {
    const keyEnv = description.apiKeyEnv ?? 'its key variable';
    if (builtinModel) throw new CliError(`--provider ${provider} needs ${keyEnv}`, 2, `export ${keyEnv}=… first, or use \`--provider fake\` (a scripted echo model, not a real LLM)`);
    throw new CliError(`provider "${provider}" has no API key`, 2, `set ${keyEnv}`);
  }
  const chosen = model ?? builtinModel ?? description.models[0];
  if (!chosen) throw usageError(`provider "${provider}" lists no models`, 'pass --model <id>');
  return { providerId: provider, apiKind: description.apiKinds[0]!, model: chosen };
}
