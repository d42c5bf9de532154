import { randomBytes } from 'node:crypto';
import type { FakeFinish, FakeScript } from './script.js';

/** One output block of a planned reply, in emission order. */
export type PlannedBlock =
  | { type: 'reasoning'; text: string; encryptedContent: string; signature: string }
  | { type: 'text'; text: string }
  | { type: 'refusal'; text: string }
  | { type: 'toolCall'; id: string; name: string; arguments: string };

export interface PlannedUsage {
  input: number;
  cachedInput: number;
  cacheWrite: number;
  output: number;
  reasoning: number;
}

/** A protocol-neutral reply: what every protocol renderer turns into its native wire shape. */
export interface TurnPlan {
  blocks: PlannedBlock[];
  /** `toolCalls` when the reply ends with tool calls; `refusal` when it is a refusal. */
  finish: FakeFinish | 'toolCalls' | 'refusal';
  usage: PlannedUsage;
  chunkChars: number;
}

export function fakeId(prefix: string): string {
  return `${prefix}${randomBytes(12).toString('hex')}`;
}

/** Roughly four characters per token, like the providers' own rule of thumb. */
function tokensForChars(chars: number): number {
  return Math.max(1, Math.ceil(chars / 4));
}

export function planTurn(script: FakeScript, requestChars: number): TurnPlan {
  const blocks: PlannedBlock[] = [];
  if (script.reasoning) {
    blocks.push({
      type: 'reasoning',
      text: script.reasoning.text,
      encryptedContent: script.reasoning.encryptedContent ?? `fake-encrypted:${Buffer.from(script.reasoning.text).toString('base64')}`,
      signature: script.reasoning.signature ?? `fake-signature:${fakeId('')}`,
    });
  }
  if (script.refusal !== undefined) blocks.push({ type: 'refusal', text: script.refusal });
  if (script.text !== undefined) blocks.push({ type: 'text', text: script.text });
  for (const call of script.toolCalls ?? []) {
    const args = call.arguments === undefined ? '{}' : typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments);
    blocks.push({ type: 'toolCall', id: call.id ?? fakeId('call_'), name: call.name, arguments: args });
  }
  const hasCalls = blocks.some((block) => block.type === 'toolCall');
  const finish = hasCalls ? 'toolCalls' : script.refusal !== undefined ? 'refusal' : (script.finish ?? 'stop');
  const outputChars = blocks.reduce((sum, block) => sum + ('arguments' in block ? block.arguments.length : block.text.length), 0);
  const reasoningTokens = script.reasoning ? tokensForChars(script.reasoning.text.length) : 0;
  const usage: PlannedUsage = {
    input: script.usage?.input ?? tokensForChars(requestChars),
    cachedInput: script.usage?.cachedInput ?? 0,
    cacheWrite: script.usage?.cacheWrite ?? 0,
    output: script.usage?.output ?? tokensForChars(outputChars),
    reasoning: script.usage?.reasoning ?? reasoningTokens,
  };
  return { blocks, finish, usage, chunkChars: Math.max(1, script.chunkChars ?? 16) };
}

/** Splits text into deltas the way a provider streams tokens. */
export function chunksOf(text: string, size: number): string[] {
  if (text === '') return [];
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}
