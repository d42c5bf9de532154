/**
 * The portable `generation.reasoningEffort` values every adapter understands: OpenAI's effort tiers
 * (sent as-is by `openai:responses` and `openai:completions`), mapped to thinking budgets by
 * `anthropic:messages` ("none" leaves thinking off). Surfaces validate against this list, so a
 * value no adapter would honour is refused instead of silently falling back.
 */
export const REASONING_EFFORTS = ['none', 'minimal', 'low', 'medium', 'high', 'xhigh'] as const;
export type ReasoningEffort = (typeof REASONING_EFFORTS)[number];

export function isReasoningEffort(value: string): value is ReasoningEffort {
  return (REASONING_EFFORTS as readonly string[]).includes(value);
}
