import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { redactSecrets, retryAfterMs, toProviderError } from '../src/index.js';
import { MemoryLiveChannel as InMemoryLiveChannel } from '@lightspeed/store-memory';

const headers = (entries: Record<string, string>) => new Headers(entries);

describe('error classification', () => {
  it('parses Retry-After as seconds, HTTP date, and prefers retry-after-ms', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(retryAfterMs(headers({ 'retry-after': '2.5' }), now)).toBe(2500);
    expect(retryAfterMs(headers({ 'retry-after': 'Thu, 01 Jan 2026 00:00:10 GMT' }), now)).toBe(10_000);
    expect(retryAfterMs(headers({ 'retry-after': 'Wed, 31 Dec 2025 00:00:00 GMT' }), now)).toBe(0);
    expect(retryAfterMs(headers({ 'retry-after-ms': '120', 'retry-after': '9' }), now)).toBe(120);
    expect(retryAfterMs(headers({ 'retry-after': 'soon' }), now)).toBeUndefined();
  });

  it('recognises context-length and overload errors by provider code and wording', () => {
    const openaiContext = new OpenAI.BadRequestError(400, { message: "This model's maximum context length is 128000 tokens", type: 'invalid_request_error', code: 'context_length_exceeded' }, undefined, headers({}));
    expect(toProviderError(openaiContext).failure.errorClass).toBe('context_length');
    const anthropicContext = new Anthropic.BadRequestError(400, { type: 'error', error: { type: 'invalid_request_error', message: 'prompt is too long: 201000 tokens > 200000 maximum' } }, undefined, headers({}));
    expect(toProviderError(anthropicContext).failure.errorClass).toBe('context_length');
    const streamOverload = new Anthropic.APIError(undefined, { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }, undefined, undefined);
    expect(toProviderError(streamOverload).failure).toMatchObject({ errorClass: 'overloaded', retryable: true });
    const quota = new OpenAI.RateLimitError(429, { message: 'You exceeded your current quota', type: 'insufficient_quota', code: 'insufficient_quota' }, undefined, headers({ 'retry-after': '5' }));
    expect(toProviderError(quota).failure).toMatchObject({ errorClass: 'quota', retryable: false });
  });

  it('an abort is cancelled even when the SDK reports it as a connection error', () => {
    const controller = new AbortController();
    controller.abort();
    expect(toProviderError(new OpenAI.APIConnectionError({ message: 'aborted' }), { signal: controller.signal }).failure.errorClass).toBe('cancelled');
    expect(toProviderError(new Anthropic.APIUserAbortError()).failure.errorClass).toBe('cancelled');
  });

  it('scrubs known secrets and key-shaped tokens, and bounds the message', () => {
    expect(redactSecrets('bad key my-custom-secret-value used', ['my-custom-secret-value'])).toBe('bad key [redacted] used');
    expect(redactSecrets('Incorrect API key provided: sk-proj-abcdefghijklmnop')).toBe('Incorrect API key provided: [redacted]');
    expect(redactSecrets('header Authorization: Bearer abcdefghijklmnopqrstuvwxyz')).not.toContain('abcdefghijklmnop');
    expect(redactSecrets('x'.repeat(2000)).length).toBeLessThanOrEqual(500);
  });
});

describe('in-memory live channel', () => {
  it('fans deltas out per session and survives a throwing subscriber', () => {
    const live = new InMemoryLiveChannel();
    const seen: string[] = [];
    live.subscribe('a', () => {
      throw new Error('subscriber bug');
    });
    const stop = live.subscribe('a', (message) => seen.push(message.delta.type === 'text' ? message.delta.text : ''));
    live.publish({ sessionId: 'a', turnId: 't', delta: { type: 'text', text: 'one' } });
    live.publish({ sessionId: 'b', turnId: 't', delta: { type: 'text', text: 'other session' } });
    stop();
    live.publish({ sessionId: 'a', turnId: 't', delta: { type: 'text', text: 'after unsubscribe' } });
    expect(seen).toEqual(['one']);
  });
});
