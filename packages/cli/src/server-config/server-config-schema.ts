import { ApiError, mcpServerDocument, McpServerInput } from '@lightspeed/api';
import type { McpServerDocument } from '@lightspeed/ports';
import { providerEntrySchema } from '@lightspeed/llm';
import { EmbedderConfigSchema } from '@lightspeed/memory';
import { z } from 'zod';

/*
 * The server configuration file (docs/server-config.md). Every object is strict: an unknown or
 * misspelt field is an error naming it, never silently ignored.
 */

const PROVIDER_ID = /^[a-z0-9][a-z0-9._-]{0,63}$/;
const SERVER_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const PRICE_KEY = /^[a-z0-9][a-z0-9._-]{0,63}\/\S+$/;
const MCP_FIELD = /^server\.(\S+?): ([\s\S]*)$/;

/**
 * A provider: the fields of a `providers.json` entry (its id is the key), each one optional so an
 * entry over a built-in (`openai`, `anthropic`) or a providers.json provider changes only what it
 * names, plus `enabled: false` to turn a provider off.
 */
export const ProviderSection = providerEntrySchema
  .omit({ id: true })
  .partial()
  .extend({ enabled: z.boolean().optional() });

const perMTok = () => z.number().nonnegative().finite();
/** USD per million tokens, as the shipped price table states them. */
export const PriceSection = z
  .strictObject({ inputPerMTok: perMTok(), cachedInputPerMTok: perMTok().optional(), cacheWritePerMTok: perMTok().optional(), outputPerMTok: perMTok() })
  .nullable();

/** An MCP server: the fields of `mcp/servers/put`'s `server` (its id is the key). */
export const McpServerSection = McpServerInput.omit({ serverId: true });

export const DefaultModelSection = z.strictObject({
  provider: z
    .string()
    .regex(PROVIDER_ID, 'a provider id: lower-case letters, digits, ".", "_" or "-"')
    .refine((id) => id !== 'fake', 'the scripted fake provider is chosen with --provider fake, not as a configured default'),
  model: z.string().min(1).optional(),
});

/** Memory (docs/0022): the embedder that turns events and queries into vectors for the vector path of search. */
export const MemorySection = z.strictObject({ embedder: EmbedderConfigSchema.optional() });

export const ServerConfigSchema = z.strictObject({
  /** The model new sessions get when `--provider`/`--model` are not given. */
  defaultModel: DefaultModelSection.optional(),
  providers: z
    .record(z.string(), ProviderSection)
    .superRefine((providers, ctx) => {
      for (const id of Object.keys(providers)) {
        if (id === 'fake') ctx.addIssue({ code: 'custom', path: [id], message: 'the scripted fake provider is not configured here; use --provider fake (or LIGHTSPEED_FAKE_PROVIDER_URL)' });
        else if (!PROVIDER_ID.test(id)) ctx.addIssue({ code: 'custom', path: [id], message: 'provider ids are lower-case letters, digits, ".", "_" or "-"' });
      }
    })
    .optional(),
  /** Each server as the stored document `mcp/servers/put` would make of it, with that method's checks. */
  mcpServers: z
    .record(z.string(), McpServerSection)
    .transform((servers, ctx) => {
      const documents: McpServerDocument[] = [];
      for (const [serverId, server] of Object.entries(servers)) {
        if (!SERVER_ID.test(serverId)) {
          ctx.addIssue({ code: 'custom', path: [serverId], message: 'MCP server ids are 1-64 characters of [A-Za-z0-9._-], starting with a letter or digit' });
          continue;
        }
        try {
          // The file is the operator's, trusted like a single-user caller: stdio servers and env var credentials.
          documents.push(mcpServerDocument({ ...server, serverId }, true));
        } catch (error) {
          if (!(error instanceof ApiError)) throw error;
          // mcpServerDocument names the field it refuses as `server.<field>: …` (the API's convention).
          const match = MCP_FIELD.exec(error.message);
          ctx.addIssue({ code: 'custom', path: [serverId, ...(match ? match[1]!.split('.') : [])], message: match ? match[2]! : error.message });
        }
      }
      return documents;
    })
    .optional(),
  /** `serve --allow-host-tools`: sessions may ask for a host directory with file and shell tools. */
  allowHostTools: z.boolean().optional(),
  /** `providerId/model` → prices over the shipped table, or null to mark a model unpriced. */
  prices: z
    .record(z.string(), PriceSection)
    .superRefine((prices, ctx) => {
      for (const key of Object.keys(prices)) {
        if (!PRICE_KEY.test(key)) ctx.addIssue({ code: 'custom', path: [key], message: 'a price key is providerId/model, e.g. openai/gpt-5-mini' });
      }
    })
    .optional(),
  memory: MemorySection.optional(),
});
export type ServerConfigFile = z.output<typeof ServerConfigSchema>;

