import type { ApiKind, CompactionFacts, CompactionRequest } from '@lightspeed/engine';
import { ProviderError, type LlmCallContext } from '@lightspeed/ports';
import { BlobReader } from '../context/blob-reader.js';
import type { NeutralPart } from '../context/neutral-part.js';
import { readContext } from '../context/read-context.js';
import { PendingOutputs } from '../output/pending-outputs.js';
import type { TurnInput, TurnOutcome } from '../adapters/turn-outcome.js';

export const SUMMARY_SYSTEM_PROMPT = `You compact the conversation history of an AI agent so that it can continue its work with a shorter context.
Write a summary that lets the agent continue seamlessly. Keep: the user's goals and constraints, decisions made and why,
facts learned (names, paths, identifiers, numbers, error messages), the results of tool calls that still matter, work
done so far, and open tasks or questions. Drop pleasantries and anything superseded. Write in the second person to the
agent ("You were asked to…"). Output only the summary.`;

export const SUMMARY_REQUEST = 'Summarise the conversation above following your instructions. Output only the summary.';

export const SUMMARY_HEADER = 'Summary of the earlier conversation (older messages were compacted):\n\n';

/**
 * Compaction for APIs without a native one: one summarisation call over the compacted items,
 * tool calls and results rendered as text (no tool definitions are sent), reasoning dropped.
 * The result is one user message holding the summary, placed where the compacted items were.
 */
export async function summarize(request: CompactionRequest, context: LlmCallContext, runTurn: (input: TurnInput) => Promise<TurnOutcome>, apiKind: ApiKind): Promise<CompactionFacts> {
  const reader = new BlobReader(context.blobs);
  const [instructions, conversation] = await Promise.all([
    readContext(request.instructions, apiKind, reader, { degradeTools: true }),
    readContext(request.items, apiKind, reader, { degradeTools: true }),
  ]);
  const grounding = instructions
    .map((part) => (part.kind === 'system' ? part.text : part.kind === 'text' ? part.text : ''))
    .filter((text) => text !== '')
    .join('\n\n');
  const parts: NeutralPart[] = [{ kind: 'system', text: SUMMARY_SYSTEM_PROMPT, index: 0 }];
  if (grounding !== '') {
    parts.push({ kind: 'system', text: `The agent works under these instructions (they are kept verbatim; do not summarise them):\n\n${grounding}`, index: 0 });
  }
  // Instructions and catalogs inside the compacted range are conversation for the summariser.
  for (const part of conversation) parts.push(part.kind === 'system' ? { kind: 'text', role: 'user', text: part.text, index: part.index } : part);
  parts.push({ kind: 'text', role: 'user', text: SUMMARY_REQUEST, index: conversation.length });
  const outcome = await runTurn({ model: request.model.model, params: {}, parts, tools: [], cacheBreakpoints: [] });
  const summary = outcome.pending.assistantText().trim();
  if (summary === '') {
    throw new ProviderError({ errorClass: 'server', message: `the summarisation call finished (${outcome.finishReason}) without summary text`, retryable: true });
  }
  const pending = new PendingOutputs();
  pending.text('user', `${SUMMARY_HEADER}${summary}`, 'summary');
  const { outputs } = await pending.commit(context.blobs);
  return { outputs, usage: outcome.usage };
}
