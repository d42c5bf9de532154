import type { ApiKind, CompactionFacts, CompactionRequest, GenerationFacts, GenerationRequest, ModelSelection } from '@lightspeed/engine';
import type { LlmCallContext, LlmPort, ModelInfo } from '@lightspeed/ports';
import { AnthropicMessagesAdapter } from '../adapters/anthropic-messages/messages-adapter.js';
import type { ApiAdapter } from '../adapters/api-adapter.js';
import { OpenAiCompletionsAdapter } from '../adapters/openai-completions/completions-adapter.js';
import { OpenAiResponsesAdapter } from '../adapters/openai-responses/responses-adapter.js';
import { ProviderRegistry } from './provider-registry.js';

export interface ProviderRouterOptions {
  adapters?: ApiAdapter[];
  /** Bound on each live model listing; slow or failing providers are skipped. Default 5 s. */
  listTimeoutMs?: number;
}

export function defaultAdapters(): ApiAdapter[] {
  return [new OpenAiResponsesAdapter(), new OpenAiCompletionsAdapter(), new AnthropicMessagesAdapter()];
}

/** The LlmPort: resolves each call's endpoint from the registry and dispatches to the API kind's adapter. */
export class ProviderRouter implements LlmPort {
  private readonly adapters = new Map<ApiKind, ApiAdapter>();
  private readonly listTimeoutMs: number;

  constructor(
    private readonly registry: ProviderRegistry,
    options: ProviderRouterOptions = {},
  ) {
    for (const adapter of options.adapters ?? defaultAdapters()) this.adapters.set(adapter.apiKind, adapter);
    this.listTimeoutMs = options.listTimeoutMs ?? 5000;
  }

  generate(request: GenerationRequest, context: LlmCallContext): Promise<GenerationFacts> {
    const endpoint = this.registry.resolve(request.model);
    return this.adapterFor(request.model.apiKind).generate(request, endpoint, context);
  }

  compact(request: CompactionRequest, context: LlmCallContext): Promise<CompactionFacts> {
    const endpoint = this.registry.resolve(request.model);
    return this.adapterFor(request.model.apiKind).compact(request, endpoint, context);
  }

  validateParams(model: ModelSelection, native: Record<string, unknown> | undefined): string | undefined {
    const problem = this.registry.problemOf(model);
    if (problem) return `${problem.field}: ${problem.message}`;
    const adapter = this.adapters.get(model.apiKind);
    if (!adapter) return `apiKind: no adapter for API kind ${model.apiKind}`;
    return adapter.validateParams(native);
  }

  /** Configured models of every provider, plus live listings where the API has one; failures are tolerated. */
  async listModels(): Promise<ModelInfo[]> {
    const out: ModelInfo[] = [];
    const seen = new Set<string>();
    const add = (info: ModelInfo): void => {
      const key = `${info.providerId}\u0000${info.apiKind}\u0000${info.model}`;
      if (seen.has(key)) return;
      seen.add(key);
      out.push(info);
    };
    const live: Promise<void>[] = [];
    for (const provider of this.registry.list()) {
      for (const apiKind of provider.apiKinds) {
        for (const model of provider.models) add({ providerId: provider.id, apiKind, model, source: 'configured' });
      }
      if (!provider.liveModels || !this.registry.hasCredentials(provider)) continue;
      // One listing per provider endpoint; every API kind it speaks serves the same models.
      const apiKind = provider.apiKinds[0]!;
      live.push(
        this.listLive(provider.id, apiKind).then((models) => {
          for (const kind of provider.apiKinds) for (const model of models) add({ providerId: provider.id, apiKind: kind, model, source: 'live' });
        }),
      );
    }
    await Promise.all(live);
    return out;
  }

  private async listLive(providerId: string, apiKind: ApiKind): Promise<string[]> {
    const adapter = this.adapters.get(apiKind);
    if (!adapter) return [];
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      const endpoint = this.registry.resolve({ providerId, apiKind, model: 'list' });
      const timeout = new Promise<string[]>((resolve) => {
        timer = setTimeout(() => resolve([]), this.listTimeoutMs);
      });
      return await Promise.race([adapter.listModels(endpoint), timeout]);
    } catch {
      // A provider that cannot list (no listing endpoint, offline, bad key) contributes its configured models only.
      return [];
    } finally {
      if (timer) clearTimeout(timer);
    }
  }

  private adapterFor(apiKind: ApiKind): ApiAdapter {
    const adapter = this.adapters.get(apiKind);
    if (!adapter) throw new Error(`no adapter registered for API kind ${apiKind}`);
    return adapter;
  }
}

/** The LlmPort a host uses: providers from the environment and `providers.json`, all three adapters. */
export async function llmPortFromEnvironment(env: Record<string, string | undefined> = process.env): Promise<ProviderRouter> {
  return new ProviderRouter(await ProviderRegistry.fromEnvironment(env));
}
