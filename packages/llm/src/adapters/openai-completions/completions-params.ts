import { z } from 'zod';

const RESERVED = ['model', 'messages', 'tools', 'stream', 'stream_options'];

/**
 * Native params an `openai:completions` request may carry. Besides OpenAI's own, `extra_body`
 * passes server-specific fields through to OpenAI-compatible servers (vLLM, Ollama, OpenRouter).
 */
export const completionsNativeParams = z.strictObject({
  top_p: z.number().min(0).max(1).optional(),
  frequency_penalty: z.number().min(-2).max(2).optional(),
  presence_penalty: z.number().min(-2).max(2).optional(),
  seed: z.number().int().optional(),
  stop: z.union([z.string(), z.array(z.string()).max(4)]).optional(),
  logit_bias: z.record(z.string(), z.number().min(-100).max(100)).optional(),
  service_tier: z.enum(['auto', 'default', 'flex', 'scale', 'priority']).optional(),
  prompt_cache_key: z.string().min(1).max(256).optional(),
  safety_identifier: z.string().min(1).max(256).optional(),
  user: z.string().min(1).max(256).optional(),
  verbosity: z.enum(['low', 'medium', 'high']).optional(),
  /** For servers that only know the older field; replaces `max_completion_tokens`. */
  max_tokens: z.number().int().positive().optional(),
  extra_body: z
    .record(z.string(), z.unknown())
    .refine((extra) => !RESERVED.some((key) => key in extra), { message: `must not set ${'model, messages, tools, stream or stream_options'}` })
    .optional(),
});

export type CompletionsNativeParams = z.infer<typeof completionsNativeParams>;
