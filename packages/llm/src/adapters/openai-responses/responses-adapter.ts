import OpenAI from 'openai';
import type { CompactionFacts, CompactionRequest, GenerationFacts, GenerationRequest } from '@lightspeed/engine';
import { ProviderError, type LlmCallContext } from '@lightspeed/ports';
import { BlobReader } from '../../context/blob-reader.js';
import { readContext } from '../../context/read-context.js';
import { CallGuard } from '../../errors/call-guard.js';
import { failureOf } from '../../errors/classify.js';
import { StreamIncompleteError } from '../../errors/stream-incomplete.js';
import { DeltaPublisher } from '../../live/delta-publisher.js';
import { PendingOutputs } from '../../output/pending-outputs.js';
import type { ApiAdapter, ResolvedEndpoint } from '../api-adapter.js';
import { ClientCache } from '../client-cache.js';
import { validateNative } from '../native-params.js';
import { readTurnInput } from '../turn-outcome.js';
import { recordResponsesOutput, responsesFinish, responsesUsage } from './responses-output.js';
import { responsesNativeParams } from './responses-params.js';
import { responsesBody, responsesInput } from './responses-request.js';

type Json = Record<string, unknown>;

export function openAiClient(endpoint: ResolvedEndpoint): OpenAI {
  return new OpenAI({
    apiKey: endpoint.apiKey,
    baseURL: endpoint.baseURL ?? null,
    defaultHeaders: endpoint.headers ?? {},
    // The host's durable retry policy owns retries.
    maxRetries: 0,
    timeout: endpoint.timeoutMs,
    logLevel: 'off',
  });
}

/** `openai:responses`: streamed, stateless (`store: false`) Responses API calls. */
export class OpenAiResponsesAdapter implements ApiAdapter {
  readonly apiKind = 'openai:responses' as const;
  private readonly clients = new ClientCache(openAiClient);

  validateParams(native: Record<string, unknown> | undefined): string | undefined {
    return validateNative(responsesNativeParams, native, this.apiKind);
  }

  async generate(request: GenerationRequest, endpoint: ResolvedEndpoint, context: LlmCallContext): Promise<GenerationFacts> {
    const { parts, tools } = await readTurnInput(this, request, context.blobs);
    const body = responsesBody(request.model.model, request.params, parts, tools, request.sessionId);
    const publisher = new DeltaPublisher(context.live, request.sessionId, request.turnId);
    const secrets = [endpoint.apiKey];
    const guard = new CallGuard(context.signal, endpoint.timeoutMs, secrets);
    let final: Json;
    try {
      const stream = await this.clients.get(endpoint).responses.create(body as unknown as OpenAI.Responses.ResponseCreateParamsStreaming, { signal: guard.signal });
      const terminal = await consumeResponsesStream(guard.watch(stream as AsyncIterable<unknown>), publisher, secrets);
      if (!terminal) throw new StreamIncompleteError('the Responses stream ended before response.completed');
      final = terminal;
    } catch (error) {
      throw guard.failure(error);
    } finally {
      guard.dispose();
    }
    const pending = new PendingOutputs();
    const output = Array.isArray(final.output) ? (final.output as Json[]) : [];
    const { refusal } = recordResponsesOutput(output, pending);
    const { outputs, toolCalls } = await pending.commit(context.blobs);
    const facts: GenerationFacts = { finishReason: responsesFinish(final, toolCalls.length > 0, refusal), usage: responsesUsage(final.usage), outputs, toolCalls };
    if (typeof final.id === 'string') facts.responseId = final.id;
    return facts;
  }

  /** Native compaction: `POST /responses/compact` returns the kept user messages plus one opaque compaction item. */
  async compact(request: CompactionRequest, endpoint: ResolvedEndpoint, context: LlmCallContext): Promise<CompactionFacts> {
    const reader = new BlobReader(context.blobs);
    const [instructionParts, parts] = await Promise.all([readContext(request.instructions, this.apiKind, reader), readContext(request.items, this.apiKind, reader)]);
    const { input } = responsesInput(parts);
    const { instructions } = responsesInput(instructionParts);
    const secrets = [endpoint.apiKey];
    const guard = new CallGuard(context.signal, endpoint.timeoutMs, secrets);
    let compacted: Json;
    try {
      const body: Json = { model: request.model.model, input };
      if (instructions !== undefined) body.instructions = instructions;
      compacted = (await this.clients.get(endpoint).responses.compact(body as unknown as OpenAI.Responses.ResponseCompactParams, { signal: guard.signal })) as unknown as Json;
    } catch (error) {
      throw guard.failure(error);
    } finally {
      guard.dispose();
    }
    const pending = new PendingOutputs();
    recordResponsesOutput(Array.isArray(compacted.output) ? (compacted.output as Json[]) : [], pending, 'user');
    const { outputs } = await pending.commit(context.blobs);
    return { outputs, usage: responsesUsage(compacted.usage) };
  }

  async listModels(endpoint: ResolvedEndpoint): Promise<string[]> {
    const ids: string[] = [];
    for await (const model of this.clients.get(endpoint).models.list()) ids.push(model.id);
    return ids;
  }
}

/**
 * Reads the event stream: publishes deltas as they arrive and returns the terminal response, or
 * undefined when the stream ended without one (a cut stream). `response.failed` and `error`
 * events become classified failures.
 */
export async function consumeResponsesStream(stream: AsyncIterable<unknown>, publisher: DeltaPublisher, secrets: string[]): Promise<Json | undefined> {
  const calls = new Map<number, { callId: string; name: string }>();
  for await (const raw of stream) {
    const event = raw as Json;
    switch (event.type) {
      case 'response.output_text.delta':
        publisher.text(String(event.delta ?? ''));
        break;
      case 'response.reasoning_summary_text.delta':
      case 'response.reasoning_text.delta':
        publisher.reasoning(String(event.delta ?? ''));
        break;
      case 'response.output_item.added': {
        const item = event.item as Json;
        if (item.type === 'function_call') calls.set(Number(event.output_index), { callId: String(item.call_id), name: String(item.name) });
        break;
      }
      case 'response.function_call_arguments.delta': {
        const call = calls.get(Number(event.output_index));
        if (call) publisher.toolCall(call.callId, call.name, String(event.delta ?? ''));
        break;
      }
      case 'response.completed':
      case 'response.incomplete':
        return event.response as Json;
      case 'response.failed': {
        const response = (event.response ?? {}) as Json;
        const error = (response.error ?? {}) as Json;
        // A failed response may still report what it consumed; it is billed, so it is counted.
        const usage = typeof response.usage === 'object' && response.usage !== null ? responsesUsage(response.usage) : undefined;
        throw new ProviderError(failureOf({ code: String(error.code ?? 'server_error'), message: String(error.message ?? 'the response failed') }, secrets), usage);
      }
      case 'error':
        throw new ProviderError(failureOf({ code: String(event.code ?? 'server_error'), message: String(event.message ?? 'the stream reported an error') }, secrets));
    }
  }
  return undefined;
}
