import { z } from 'zod';
import { REASONING_EFFORTS } from '../reasoning-effort.js';

/**
 * Native params an `openai:responses` request may carry (`params.native`). Anything else is
 * rejected at admission: fields the adapter owns (`input`, `tools`, `store`, `stream`, `include`…)
 * are never caller-settable.
 */
export const responsesNativeParams = z.strictObject({
  top_p: z.number().min(0).max(1).optional(),
  service_tier: z.enum(['auto', 'default', 'flex', 'scale', 'priority']).optional(),
  prompt_cache_key: z.string().min(1).max(256).optional(),
  prompt_cache_retention: z.enum(['in_memory', '24h']).optional(),
  safety_identifier: z.string().min(1).max(256).optional(),
  user: z.string().min(1).max(256).optional(),
  metadata: z.record(z.string().max(64), z.string().max(512)).optional(),
  truncation: z.enum(['auto', 'disabled']).optional(),
  max_tool_calls: z.number().int().positive().optional(),
  text: z.strictObject({ verbosity: z.enum(['low', 'medium', 'high']).optional() }).optional(),
  reasoning: z
    .strictObject({
      effort: z.enum(REASONING_EFFORTS).optional(),
      summary: z.enum(['auto', 'concise', 'detailed']).optional(),
    })
    .optional(),
});

export type ResponsesNativeParams = z.infer<typeof responsesNativeParams>;
