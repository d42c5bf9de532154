import { API_KINDS, type ApiKind } from '@lightspeed/engine';
import { z } from 'zod';

const apiKind = z.enum(API_KINDS as unknown as [ApiKind, ...ApiKind[]]);
const providerId = z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'provider ids are lower-case letters, digits, ".", "_" or "-"');

/**
 * One provider in `providers.json`. Credentials are never in the file: `apiKeyEnv` names the
 * environment variable that holds the key.
 */
export const providerEntrySchema = z.strictObject({
  id: providerId,
  /** One API kind, or several the endpoint speaks. */
  apiKind: z.union([apiKind, z.array(apiKind).min(1)]),
  baseUrl: z.url({ protocol: /^https?$/ }).optional(),
  apiKeyEnv: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/).optional(),
  /** Servers that need no key (local vLLM / Ollama) set this to false. */
  requiresApiKey: z.boolean().optional(),
  models: z.array(z.string().min(1)).optional(),
  headers: z.record(z.string(), z.string()).optional(),
  timeoutMs: z.number().int().positive().optional(),
  /** Whether `listModels` asks the provider's live model listing. Default true. */
  liveModels: z.boolean().optional(),
});

export const providersFileSchema = z.strictObject({
  providers: z.array(providerEntrySchema).default([]),
  /** The built-in `fake` provider's root URL, e.g. `http://127.0.0.1:4010`. */
  fake: z.strictObject({ baseUrl: z.url({ protocol: /^https?$/ }), models: z.array(z.string().min(1)).optional() }).optional(),
});

export type ProviderEntry = z.infer<typeof providerEntrySchema>;
export type ProvidersFile = z.infer<typeof providersFileSchema>;

/**
 * A provider as a server config file states it, applied over the built-ins and `providers.json`:
 * every field it omits keeps its earlier value (so `apiKind` may be left out for a known id), and
 * `enabled: false` removes the provider (sessions naming it are refused at admission).
 */
export type ProviderOverride = Partial<Omit<ProviderEntry, 'id'>> & { id: string; enabled?: boolean };
