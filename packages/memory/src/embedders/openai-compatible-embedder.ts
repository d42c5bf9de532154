import OpenAI from 'openai';
import type { Embedder } from '@lightspeed/ports';
import { EmbedderError } from './embedder-error.js';
import { normalizeInPlace } from './unit-vector.js';

/** Known output sizes of OpenAI's models, so `dimensions` may be left out for them. */
const OPENAI_DIMENSIONS: Record<string, number> = {
  'text-embedding-3-small': 1536,
  'text-embedding-3-large': 3072,
  'text-embedding-ada-002': 1536,
};
/** Only these accept the `dimensions` request parameter (a shortened vector). */
const SHORTENABLE = /^text-embedding-3-/;

export interface OpenAICompatibleEmbedderOptions {
  /** e.g. `https://api.openai.com/v1`, `http://127.0.0.1:11434/v1` (Ollama). */
  baseUrl: string;
  model: string;
  /** The key itself (read by the caller from the variable the config names); absent for servers that need none. */
  apiKey?: string;
  /** Required unless `model` is one of OpenAI's: every vector the endpoint returns must have this length. */
  dimensions?: number;
  /** Texts per request (default 96; OpenAI accepts up to 2,048). */
  batchSize?: number;
  /** Retries of a 408/409/429/5xx or a connection failure, after the `Retry-After` the server asks for (default 4). */
  maxRetries?: number;
  timeoutMs?: number;
  fetch?: typeof globalThis.fetch;
}

/**
 * Any OpenAI-compatible `/v1/embeddings` endpoint (OpenAI, Ollama, vLLM, the fake provider) through
 * the official SDK. The SDK's own retry loop is the one used: it retries 408/409/429/5xx and
 * connection errors with backoff and honours `Retry-After` / `retry-after-ms`.
 */
export class OpenAICompatibleEmbedder implements Embedder {
  readonly model: string;
  readonly dimensions: number;
  private readonly client: OpenAI;
  private readonly batchSize: number;
  private readonly sendDimensions: boolean;

  constructor(private readonly options: OpenAICompatibleEmbedderOptions) {
    const known = OPENAI_DIMENSIONS[options.model];
    const dimensions = options.dimensions ?? known;
    if (dimensions === undefined) {
      throw new EmbedderError('invalid', `memory.embedder.dimensions: the vector size of model "${options.model}" is not known; give dimensions`, { model: options.model });
    }
    this.dimensions = dimensions;
    this.sendDimensions = options.dimensions !== undefined && SHORTENABLE.test(options.model);
    this.model = `openai-compatible:${options.model}:${dimensions}`;
    this.batchSize = options.batchSize ?? 96;
    this.client = new OpenAI({
      baseURL: options.baseUrl,
      // The SDK insists on a key; servers that need none ignore the header.
      apiKey: options.apiKey ?? 'none',
      maxRetries: options.maxRetries ?? 4,
      ...(options.timeoutMs ? { timeout: options.timeoutMs } : {}),
      ...(options.fetch ? { fetch: options.fetch } : {}),
    });
  }

  async embed(texts: readonly string[], options: { signal?: AbortSignal } = {}): Promise<Float32Array[]> {
    const vectors: Float32Array[] = [];
    for (let start = 0; start < texts.length; start += this.batchSize) {
      vectors.push(...(await this.batch(texts.slice(start, start + this.batchSize), options.signal)));
    }
    return vectors;
  }

  private async batch(input: string[], signal: AbortSignal | undefined): Promise<Float32Array[]> {
    let answer: OpenAI.CreateEmbeddingResponse;
    try {
      answer = await this.client.embeddings.create(
        { model: this.options.model, input, encoding_format: 'float', ...(this.sendDimensions ? { dimensions: this.dimensions } : {}) },
        signal ? { signal } : {},
      );
    } catch (error) {
      throw this.failure(error);
    }
    if (answer.data.length !== input.length) {
      throw new EmbedderError('invalid', `the embeddings endpoint returned ${answer.data.length} vectors for ${input.length} texts`, { model: this.model });
    }
    const vectors = new Array<Float32Array>(input.length);
    for (const item of answer.data) {
      if (item.embedding.length !== this.dimensions) {
        throw new EmbedderError('invalid', `model "${this.options.model}" returned ${item.embedding.length} dimensions, the config says ${this.dimensions}; set memory.embedder.dimensions to the model's size`, { model: this.model });
      }
      // Some servers (Ollama, vLLM with some models) do not normalise; the port promises unit vectors.
      vectors[item.index] = normalizeInPlace(Float32Array.from(item.embedding));
    }
    return vectors;
  }

  private failure(error: unknown): Error {
    if (error instanceof OpenAI.APIUserAbortError) return error;
    if (error instanceof OpenAI.APIError && error.status !== undefined) {
      const status = error.status;
      const code = status === 401 || status === 403 ? 'forbidden' : status === 429 || status >= 500 || status === 408 ? 'unavailable' : 'invalid';
      // A refused key's message may quote part of it (OpenAI's does): say only what to check.
      if (code === 'forbidden') return new EmbedderError(code, `embeddings endpoint answered ${status}: check the key in the variable memory.embedder.apiKeyEnv names`, { model: this.model, status });
      return new EmbedderError(code, `embeddings endpoint answered ${status}${code === 'unavailable' ? ' after retries' : ''}: ${this.redact(error.message)}`, { model: this.model, status });
    }
    const message = error instanceof Error ? error.message : String(error);
    return new EmbedderError('unavailable', `embeddings endpoint ${this.options.baseUrl} unreachable after retries: ${this.redact(message)}`, { model: this.model });
  }

  private redact(message: string): string {
    const key = this.options.apiKey;
    return key ? message.split(key).join('[redacted]') : message;
  }
}
