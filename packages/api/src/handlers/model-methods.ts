import type { ModelInfo } from '@lightspeed/ports';
import type { MethodHandlers } from '../rpc/dispatcher.js';
import type { ModelProviderDiscoveryView, ModelView } from '../schemas/models.js';

/** Model ids that are clearly not text-generation routes (the contract's conservative id policy). */
const NON_TEXT_MODEL = /(embedding|moderation|dall-e|gpt-image|whisper|tts|transcribe|realtime|sora|davinci-00|babbage-00)/i;

export function isSelectableModelId(model: string): boolean {
  return !NON_TEXT_MODEL.test(model);
}

/** models/list over the host's provider discovery. */
export function modelMethods(listModels: () => Promise<ModelInfo[]>, now: () => number = Date.now): MethodHandlers {
  return {
    'models/list': async ({ selectableOnly }) => {
      const fetchedAtMs = now();
      const infos = await listModels();
      const models: ModelView[] = infos
        .filter((info) => !selectableOnly || isSelectableModelId(info.model))
        .map((info) => ({
          providerId: info.providerId,
          apiKind: info.apiKind,
          model: info.model,
          displayName: info.displayName ?? info.model,
          capabilities: {},
          source: 'provider',
          fetchedAtMs,
        }));
      const providers = new Map<string, ModelProviderDiscoveryView>();
      for (const info of infos) {
        const entry = providers.get(info.providerId) ?? {
          providerId: info.providerId,
          apiKinds: [],
          // The host only lists providers it can call with its deployment configuration.
          credential: 'configured',
          credentialSource: 'deployment',
          fetchedAtMs,
        };
        if (!entry.apiKinds.includes(info.apiKind)) entry.apiKinds.push(info.apiKind);
        providers.set(info.providerId, entry);
      }
      return { result: { models, providers: [...providers.values()] } };
    },
  };
}
