import { z } from 'zod';
import { epochMs, named, uint } from './registry.js';

export const ModelListParams = named('ModelListParams', z.object({ selectableOnly: z.boolean().optional() }));
export const ModelCapabilitiesView = named(
  'ModelCapabilitiesView',
  z.object({
    maxInputTokens: uint().nullish(),
    maxOutputTokens: uint().nullish(),
    parallelToolUse: z.boolean().nullish(),
    reasoningEfforts: z.array(z.string()).nullish(),
  }),
);
export const ModelView = named(
  'ModelView',
  z.object({
    providerId: z.string(),
    apiKind: z.string(),
    model: z.string(),
    displayName: z.string(),
    capabilities: ModelCapabilitiesView,
    source: z.enum(['provider']),
    createdAtMs: epochMs().nullish(),
    fetchedAtMs: epochMs(),
  }),
);
export type ModelView = z.infer<typeof ModelView>;
export const ModelProviderDiscoveryView = named(
  'ModelProviderDiscoveryView',
  z.object({
    providerId: z.string(),
    apiKinds: z.array(z.string()),
    credential: z.enum(['configured', 'missing', 'invalid', 'notRequired']),
    credentialSource: z.enum(['none', 'universe', 'deployment']),
    error: z.string().nullish(),
    fetchedAtMs: epochMs().nullish(),
  }),
);
export type ModelProviderDiscoveryView = z.infer<typeof ModelProviderDiscoveryView>;
export const ModelListResponse = named(
  'ModelListResponse',
  z.object({ models: z.array(ModelView).default([]), providers: z.array(ModelProviderDiscoveryView).default([]) }),
);
