import { z } from 'zod';

/** Native params an `anthropic:messages` request may carry (`params.native`). */
export const messagesNativeParams = z.strictObject({
  top_p: z.number().min(0).max(1).optional(),
  top_k: z.number().int().positive().optional(),
  stop_sequences: z.array(z.string().min(1)).max(16).optional(),
  thinking: z
    .discriminatedUnion('type', [z.strictObject({ type: z.literal('enabled'), budget_tokens: z.number().int().min(1024) }), z.strictObject({ type: z.literal('disabled') })])
    .optional(),
  metadata: z.strictObject({ user_id: z.string().max(256).optional() }).optional(),
  service_tier: z.enum(['auto', 'standard_only']).optional(),
});

export type MessagesNativeParams = z.infer<typeof messagesNativeParams>;
