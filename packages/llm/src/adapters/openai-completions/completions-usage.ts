import type { Usage } from '@lightspeed/engine';

type Json = Record<string, unknown>;

function count(value: unknown): number {
  const n = Number(value ?? 0);
  return Number.isFinite(n) && n > 0 ? n : 0;
}

/**
 * Reads a chat usage object as the server that sent it defines it (see
 * docs/provider-fidelity.md). OpenAI, DeepSeek, Groq, Mistral and vLLM count reasoning
 * inside `completion_tokens`; xAI counts it outside (`total = prompt + completion + reasoning`),
 * which is recognised from the totals themselves so no server list has to be kept. Cached input
 * is `prompt_tokens_details.cached_tokens`, or DeepSeek's older `prompt_cache_hit_tokens`.
 * `output` always includes reasoning, as the engine counts it.
 */
export function completionsUsage(usage: Json | undefined): Usage {
  const u = usage ?? {};
  const prompt = count(u.prompt_tokens);
  const completion = count(u.completion_tokens);
  const total = count(u.total_tokens);
  const promptDetails = (u.prompt_tokens_details ?? {}) as Json;
  const cached = Math.min(prompt, count(promptDetails.cached_tokens ?? u.prompt_cache_hit_tokens));
  const reasoning = count(((u.completion_tokens_details ?? {}) as Json).reasoning_tokens);
  const reasoningOutside = reasoning > 0 && total === prompt + completion + reasoning;
  return {
    input: prompt - cached,
    cachedInput: cached,
    cacheWrite: 0,
    output: reasoningOutside ? completion + reasoning : completion,
    reasoning,
  };
}
