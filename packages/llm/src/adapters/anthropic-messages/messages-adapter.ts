import Anthropic from '@anthropic-ai/sdk';
import type { CompactionFacts, CompactionRequest, GenerationFacts, GenerationRequest } from '@lightspeed/engine';
import type { LlmCallContext } from '@lightspeed/ports';
import { summarize } from '../../compaction/summarize.js';
import { CallGuard } from '../../errors/call-guard.js';
import { withUsage } from '../../errors/classify.js';
import { StreamIncompleteError } from '../../errors/stream-incomplete.js';
import { DeltaPublisher } from '../../live/delta-publisher.js';
import type { ApiAdapter, ResolvedEndpoint } from '../api-adapter.js';
import { ClientCache } from '../client-cache.js';
import { validateNative } from '../native-params.js';
import { commitTurn, readTurnInput, type TurnInput, type TurnOutcome } from '../turn-outcome.js';
import { messagesNativeParams } from './messages-params.js';
import { messagesBody } from './messages-request.js';
import { consumeMessagesStream, type UsageSeen } from './messages-stream.js';

function anthropicClient(endpoint: ResolvedEndpoint): Anthropic {
  return new Anthropic({
    apiKey: endpoint.apiKey,
    baseURL: endpoint.baseURL ?? null,
    defaultHeaders: endpoint.headers ?? {},
    // The host's durable retry policy owns retries.
    maxRetries: 0,
    timeout: endpoint.timeoutMs,
    logLevel: 'off',
  });
}

/** `anthropic:messages`: streamed Messages API calls with thinking blocks and prompt-cache breakpoints. */
export class AnthropicMessagesAdapter implements ApiAdapter {
  readonly apiKind = 'anthropic:messages' as const;
  private readonly clients = new ClientCache(anthropicClient);

  validateParams(native: Record<string, unknown> | undefined): string | undefined {
    return validateNative(messagesNativeParams, native, this.apiKind);
  }

  async generate(request: GenerationRequest, endpoint: ResolvedEndpoint, context: LlmCallContext): Promise<GenerationFacts> {
    const input = await readTurnInput(this, request, context.blobs);
    const outcome = await this.runTurn(input, endpoint, context, new DeltaPublisher(context.live, request.sessionId, request.turnId));
    return commitTurn(outcome, context.blobs);
  }

  async runTurn(input: TurnInput, endpoint: ResolvedEndpoint, context: LlmCallContext, publisher: DeltaPublisher): Promise<TurnOutcome> {
    const body = messagesBody(input.model, input.params, input.parts, input.tools, input.cacheBreakpoints);
    const secrets = [endpoint.apiKey];
    const guard = new CallGuard(context.signal, endpoint.timeoutMs, secrets);
    const seen: UsageSeen = {};
    try {
      const stream = await this.clients.get(endpoint).messages.create(body as unknown as Anthropic.MessageCreateParamsStreaming, { signal: guard.signal });
      const outcome = await consumeMessagesStream(guard.watch(stream as AsyncIterable<unknown>), publisher, seen);
      if (!outcome) throw new StreamIncompleteError('the Messages stream ended before message_stop');
      return outcome;
    } catch (error) {
      throw withUsage(guard.failure(error), seen.usage);
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
