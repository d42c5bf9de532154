import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { ApiKind, ModelSelection } from '@lightspeed/engine';
import { LightspeedError, ProviderError } from '@lightspeed/ports';
import type { ResolvedEndpoint } from '../adapters/api-adapter.js';
import { providersFileSchema, type ProviderOverride, type ProvidersFile } from './provider-config.js';

export const DEFAULT_TIMEOUT_MS = 10 * 60 * 1000;

/** A provider as deployment config describes it (no credential values). */
export interface ProviderDescription {
  id: string;
  apiKinds: ApiKind[];
  baseUrl?: string;
  apiKeyEnv?: string;
  requiresApiKey: boolean;
  models: string[];
  headers?: Record<string, string>;
  timeoutMs: number;
  liveModels: boolean;
  /** For the fake: OpenAI kinds add `/v1` to the root URL, Anthropic uses the root. */
  rootUrl?: boolean;
}

type Env = Record<string, string | undefined>;

function builtins(env: Env, file: ProvidersFile): ProviderDescription[] {
  const out: ProviderDescription[] = [
    {
      id: 'openai',
      apiKinds: ['openai:responses', 'openai:completions'],
      baseUrl: env.OPENAI_BASE_URL || undefined,
      apiKeyEnv: 'OPENAI_API_KEY',
      requiresApiKey: true,
      models: [],
      timeoutMs: DEFAULT_TIMEOUT_MS,
      liveModels: true,
    },
    {
      id: 'anthropic',
      apiKinds: ['anthropic:messages'],
      baseUrl: env.ANTHROPIC_BASE_URL || undefined,
      apiKeyEnv: 'ANTHROPIC_API_KEY',
      requiresApiKey: true,
      models: [],
      timeoutMs: DEFAULT_TIMEOUT_MS,
      liveModels: true,
    },
  ];
  const fakeUrl = file.fake?.baseUrl ?? (env.LIGHTSPEED_FAKE_PROVIDER_URL || undefined);
  if (fakeUrl !== undefined) {
    out.push({
      id: 'fake',
      apiKinds: ['openai:responses', 'openai:completions', 'anthropic:messages'],
      baseUrl: fakeUrl.replace(/\/+$/, ''),
      requiresApiKey: false,
      models: file.fake?.models ?? [],
      timeoutMs: DEFAULT_TIMEOUT_MS,
      liveModels: true,
      rootUrl: true,
    });
  }
  return out;
}

/**
 * Resolves `(providerId, apiKind, model)` to an endpoint and credentials from deployment config:
 * built-in `openai` / `anthropic` (env `*_API_KEY`, `*_BASE_URL`), the `fake` provider when a URL
 * is configured, and custom OpenAI-compatible providers from `providers.json`. Keys are read from
 * the environment at resolution time and only ever handed to the SDK client.
 */
export class ProviderRegistry {
  private readonly providers = new Map<string, ProviderDescription>();
  private readonly endpoints = new Map<string, ResolvedEndpoint>();

  /** `overrides` (the server config file's providers) apply after the file, field by field. */
  constructor(
    file: ProvidersFile = { providers: [] },
    private readonly env: Env = process.env,
    overrides: readonly ProviderOverride[] = [],
  ) {
    for (const provider of builtins(env, file)) this.providers.set(provider.id, provider);
    for (const entry of file.providers) this.apply(entry);
    for (const entry of overrides) this.apply(entry);
  }

  private apply(entry: ProviderOverride): void {
    if (entry.enabled === false) {
      this.providers.delete(entry.id);
      return;
    }
    const existing = this.providers.get(entry.id);
    const apiKinds = entry.apiKind === undefined ? existing?.apiKinds : Array.isArray(entry.apiKind) ? entry.apiKind : [entry.apiKind];
    if (!apiKinds) throw new LightspeedError('invalid', `provider "${entry.id}" is not a built-in or providers.json provider: give its apiKind`, { providerId: entry.id });
    this.providers.set(entry.id, {
      id: entry.id,
      apiKinds,
      baseUrl: entry.baseUrl ?? existing?.baseUrl,
      apiKeyEnv: entry.apiKeyEnv ?? existing?.apiKeyEnv,
      requiresApiKey: entry.requiresApiKey ?? existing?.requiresApiKey ?? entry.apiKeyEnv !== undefined,
      models: entry.models ?? existing?.models ?? [],
      headers: entry.headers ?? existing?.headers,
      timeoutMs: entry.timeoutMs ?? existing?.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      liveModels: entry.liveModels ?? existing?.liveModels ?? true,
      rootUrl: existing?.rootUrl,
    });
  }

  /** Reads `providers.json` from `LIGHTSPEED_PROVIDERS_FILE` or `$LIGHTSPEED_HOME/providers.json` (default `~/.lightspeed/`); a missing file is fine. */
  static async fromEnvironment(env: Env = process.env, overrides: readonly ProviderOverride[] = []): Promise<ProviderRegistry> {
    const path = env.LIGHTSPEED_PROVIDERS_FILE || join(env.LIGHTSPEED_HOME || join(homedir(), '.lightspeed'), 'providers.json');
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT' && !env.LIGHTSPEED_PROVIDERS_FILE) return new ProviderRegistry({ providers: [] }, env, overrides);
      throw new LightspeedError('invalid', `cannot read the providers file ${path}: ${(error as Error).message}`, { path });
    }
    return new ProviderRegistry(ProviderRegistry.parse(text, path), env, overrides);
  }

  static parse(text: string, path = 'providers.json'): ProvidersFile {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new LightspeedError('invalid', `${path} is not valid JSON: ${(error as Error).message}`, { path });
    }
    const result = providersFileSchema.safeParse(value);
    if (!result.success) {
      const issue = result.error.issues[0]!;
      throw new LightspeedError('invalid', `${path}: ${issue.path.join('.') || '(root)'}: ${issue.message}`, { path });
    }
    return result.data;
  }

  list(): ProviderDescription[] {
    return [...this.providers.values()];
  }

  get(providerId: string): ProviderDescription | undefined {
    return this.providers.get(providerId);
  }

  /** Why a selection cannot be served (unknown provider, unsupported API kind), or undefined. */
  check(selection: ModelSelection): string | undefined {
    return this.problemOf(selection)?.message;
  }

  /** Like `check`, naming the selection's field at fault (admission errors point the caller at it). */
  problemOf(selection: ModelSelection): { field: keyof ModelSelection; message: string } | undefined {
    const provider = this.providers.get(selection.providerId);
    if (!provider) return { field: 'providerId', message: `unknown provider "${selection.providerId}"; configured providers: ${[...this.providers.keys()].join(', ')}` };
    if (!provider.apiKinds.includes(selection.apiKind)) {
      return { field: 'apiKind', message: `provider "${provider.id}" does not speak ${selection.apiKind} (it speaks ${provider.apiKinds.join(', ')})` };
    }
    if (selection.model.trim() === '') return { field: 'model', message: 'model must not be empty' };
    return undefined;
  }

  /** The endpoint for a selection. Stable per (provider, apiKind, key) so SDK clients are reused. */
  resolve(selection: ModelSelection): ResolvedEndpoint {
    const problem = this.check(selection);
    if (problem) throw new ProviderError({ errorClass: 'invalid_request', message: problem, retryable: false });
    const provider = this.providers.get(selection.providerId)!;
    const apiKey = this.apiKeyOf(provider);
    const cacheKey = `${provider.id}\u0000${selection.apiKind}\u0000${apiKey}`;
    const cached = this.endpoints.get(cacheKey);
    if (cached) return cached;
    const endpoint: ResolvedEndpoint = { providerId: provider.id, apiKind: selection.apiKind, apiKey, timeoutMs: provider.timeoutMs };
    const baseURL = provider.rootUrl && provider.baseUrl !== undefined && selection.apiKind !== 'anthropic:messages' ? `${provider.baseUrl}/v1` : provider.baseUrl;
    if (baseURL !== undefined) endpoint.baseURL = baseURL;
    if (provider.headers) endpoint.headers = provider.headers;
    this.endpoints.set(cacheKey, endpoint);
    return endpoint;
  }

  /** Whether a provider's credentials are present (listing skips providers that would fail auth). */
  hasCredentials(provider: ProviderDescription): boolean {
    return !provider.requiresApiKey || (provider.apiKeyEnv !== undefined && !!this.env[provider.apiKeyEnv]);
  }

  private apiKeyOf(provider: ProviderDescription): string {
    const key = provider.apiKeyEnv !== undefined ? this.env[provider.apiKeyEnv] : undefined;
    if (key) return key;
    if (provider.requiresApiKey) {
      throw new ProviderError({
        errorClass: 'auth',
        message: `provider "${provider.id}" has no API key: set the ${provider.apiKeyEnv ?? 'configured'} environment variable`,
        retryable: false,
      });
    }
    // SDKs insist on some key; servers that need none ignore it.
    return 'not-needed';
  }
}
