import type OpenAI from 'openai';
import type { CompactionFacts, CompactionRequest, GenerationFacts, GenerationRequest } from '@lightspeed/engine';
import type { LlmCallContext } from '@lightspeed/ports';
import { CallGuard } from '../../errors/call-guard.js';
import { StreamIncompleteError } from '../../errors/stream-incomplete.js';
import { DeltaPublisher } from '../../live/delta-publisher.js';
import { summarize } from '../../compaction/summarize.js';
import type { ApiAdapter, ResolvedEndpoint } from '../api-adapter.js';
import { ClientCache } from '../client-cache.js';
import { validateNative } from '../native-params.js';
import { openAiClient } from '../openai-responses/responses-adapter.js';
import { commitTurn, readTurnInput, type TurnInput, type TurnOutcome } from '../turn-outcome.js';
import { completionsNativeParams } from './completions-params.js';
import { completionsBody } from './completions-request.js';
import { consumeCompletionsStream } from './completions-stream.js';

/** `openai:completions`: streamed Chat Completions, for OpenAI and every OpenAI-compatible server. */
export class OpenAiCompletionsAdapter implements ApiAdapter {
  readonly apiKind = 'openai:completions' as const;
  private readonly clients = new ClientCache(openAiClient);

  validateParams(native: Record<string, unknown> | undefined): string | undefined {
    return validateNative(completionsNativeParams, native, this.apiKind);
  }

  async generate(request: GenerationRequest, endpoint: ResolvedEndpoint, context: LlmCallContext): Promise<GenerationFacts> {
    const input = await readTurnInput(this, request, context.blobs);
    const outcome = await this.runTurn(input, endpoint, context, new DeltaPublisher(context.live, request.sessionId, request.turnId));
    return commitTurn(outcome, context.blobs);
  }

  async runTurn(input: TurnInput, endpoint: ResolvedEndpoint, context: LlmCallContext, publisher: DeltaPublisher): Promise<TurnOutcome> {
    const body = completionsBody(input.model, input.params, input.parts, input.tools);
    const secrets = [endpoint.apiKey];
    const guard = new CallGuard(context.signal, endpoint.timeoutMs, secrets);
    try {
      const stream = await this.clients.get(endpoint).chat.completions.create(body as unknown as OpenAI.Chat.ChatCompletionCreateParamsStreaming, { signal: guard.signal });
      const result = await consumeCompletionsStream(guard.watch(stream as AsyncIterable<unknown>), publisher);
      if (!result) throw new StreamIncompleteError('the chat completion stream ended before a finish_reason');
      return result;
    } catch (error) {
      throw guard.failure(error);
    } finally {
      guard.dispose();
    }
  }

  compact(request: CompactionRequest, endpoint: ResolvedEndpoint, context: LlmCallContext): Promise<CompactionFacts> {
    return summarize(request, context, (input) => this.runTurn(input, endpoint, context, new DeltaPublisher(undefined, request.sessionId, request.compactionId)), this.apiKind);
  }

  async listModels(endpoint: ResolvedEndpoint): Promise<string[]> {
    const ids: string[] = [];
    for await (const model of this.clients.get(endpoint).models.list()) ids.push(model.id);
    return ids;
  }
}
