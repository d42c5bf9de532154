import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryBlobStore } from '@lightspeed/cas';
import { API_KINDS } from '@lightspeed/engine';
import { startFakeProvider, type FakeProvider } from '@lightspeed/fake-provider';
import { LightspeedError, ProviderError } from '@lightspeed/ports';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProviderRegistry, ProviderRouter, llmPortFromEnvironment } from '../src/index.js';
import { Conversation, outputTexts } from './support/conversation.js';

let fake: FakeProvider;
beforeAll(async () => {
  fake = await startFakeProvider();
});
afterAll(async () => fake.stop());

describe('provider registry', () => {
  it('resolves the built-in providers from environment variables', () => {
    const registry = new ProviderRegistry(undefined, { OPENAI_API_KEY: 'sk-openai-1234567890', OPENAI_BASE_URL: 'https://proxy.example/v1', ANTHROPIC_API_KEY: 'sk-ant-1234567890' });
    expect(registry.resolve({ providerId: 'openai', apiKind: 'openai:responses', model: 'gpt-5' })).toMatchObject({ baseURL: 'https://proxy.example/v1', apiKey: 'sk-openai-1234567890' });
    expect(registry.resolve({ providerId: 'anthropic', apiKind: 'anthropic:messages', model: 'claude' })).toMatchObject({ apiKey: 'sk-ant-1234567890' });
    expect(registry.resolve({ providerId: 'anthropic', apiKind: 'anthropic:messages', model: 'claude' }).baseURL).toBeUndefined();
  });

  it('a missing key is a non-retryable auth failure that names the variable to set', () => {
    const registry = new ProviderRegistry(undefined, {});
    const error = (() => {
      try {
        registry.resolve({ providerId: 'openai', apiKind: 'openai:completions', model: 'gpt-4.1' });
      } catch (caught) {
        return caught;
      }
    })() as ProviderError;
    expect(error).toBeInstanceOf(ProviderError);
    expect(error.failure).toMatchObject({ errorClass: 'auth', retryable: false });
    expect(error.message).toContain('OPENAI_API_KEY');
  });

  it('rejects unknown providers and API kinds a provider does not speak', () => {
    const registry = new ProviderRegistry(undefined, { ANTHROPIC_API_KEY: 'k-123456789' });
    expect(registry.check({ providerId: 'nope', apiKind: 'openai:responses', model: 'm' })).toMatch(/unknown provider "nope"/);
    expect(registry.check({ providerId: 'anthropic', apiKind: 'openai:responses', model: 'm' })).toMatch(/does not speak openai:responses/);
    expect(() => registry.resolve({ providerId: 'nope', apiKind: 'openai:responses', model: 'm' })).toThrow(ProviderError);
  });

  it('reads custom OpenAI-compatible providers from $LIGHTSPEED_HOME/providers.json', async () => {
    const home = await mkdtemp(join(tmpdir(), 'lightspeed-providers-'));
    try {
      await writeFile(
        join(home, 'providers.json'),
        JSON.stringify({
          providers: [
            { id: 'ollama', apiKind: 'openai:completions', baseUrl: 'http://127.0.0.1:11434/v1', requiresApiKey: false, models: ['llama3.2'] },
            { id: 'router', apiKind: ['openai:completions', 'openai:responses'], baseUrl: 'https://router.example/api/v1', apiKeyEnv: 'ROUTER_KEY', headers: { 'x-title': 'lightspeed' } },
          ],
        }),
      );
      const registry = await ProviderRegistry.fromEnvironment({ LIGHTSPEED_HOME: home, ROUTER_KEY: 'rk-abcdefgh' });
      expect(registry.resolve({ providerId: 'ollama', apiKind: 'openai:completions', model: 'llama3.2' })).toMatchObject({ baseURL: 'http://127.0.0.1:11434/v1', apiKey: 'not-needed' });
      expect(registry.resolve({ providerId: 'router', apiKind: 'openai:responses', model: 'x' })).toMatchObject({ apiKey: 'rk-abcdefgh', headers: { 'x-title': 'lightspeed' } });
      expect(registry.check({ providerId: 'ollama', apiKind: 'anthropic:messages', model: 'x' })).toMatch(/does not speak/);
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });

  it('refuses a providers file that holds a credential or is malformed', () => {
    expect(() => ProviderRegistry.parse(JSON.stringify({ providers: [{ id: 'x', apiKind: 'openai:completions', apiKey: 'sk-inline' }] }))).toThrow(LightspeedError);
    expect(() => ProviderRegistry.parse('{not json')).toThrow(/not valid JSON/);
    expect(() => ProviderRegistry.parse(JSON.stringify({ providers: [{ id: 'Bad Id', apiKind: 'openai:completions' }] }))).toThrow(/providers\.0\.id/);
  });

  it('overrides (the server config file) change only the fields they name, and enabled: false removes a provider', () => {
    const env = { OPENAI_API_KEY: 'sk-openai-1234567890', WORK_KEY: 'sk-work-1234567890' };
    const registry = new ProviderRegistry({ providers: [{ id: 'ollama', apiKind: 'openai:completions', baseUrl: 'http://127.0.0.1:11434/v1', requiresApiKey: false, models: ['llama3.2'] }] }, env, [
      { id: 'openai', apiKeyEnv: 'WORK_KEY', baseUrl: 'https://proxy.example/v1' },
      { id: 'ollama', timeoutMs: 5000 },
      { id: 'anthropic', enabled: false },
    ]);
    expect(registry.get('openai')).toMatchObject({ apiKinds: ['openai:responses', 'openai:completions'], apiKeyEnv: 'WORK_KEY' });
    expect(registry.resolve({ providerId: 'openai', apiKind: 'openai:responses', model: 'gpt-5' })).toMatchObject({ baseURL: 'https://proxy.example/v1', apiKey: 'sk-work-1234567890' });
    expect(registry.get('ollama')).toMatchObject({ apiKinds: ['openai:completions'], baseUrl: 'http://127.0.0.1:11434/v1', models: ['llama3.2'], requiresApiKey: false, timeoutMs: 5000 });
    expect(registry.get('anthropic')).toBeUndefined();
    expect(registry.check({ providerId: 'anthropic', apiKind: 'anthropic:messages', model: 'claude' })).toMatch(/unknown provider "anthropic"/);
    expect(() => new ProviderRegistry(undefined, env, [{ id: 'new-one', baseUrl: 'http://127.0.0.1:9/v1' }])).toThrow(/provider "new-one" is not a built-in or providers.json provider: give its apiKind/);
  });

  it('a missing default providers file is fine; a named missing one is an error', async () => {
    await expect(ProviderRegistry.fromEnvironment({ LIGHTSPEED_HOME: join(tmpdir(), 'does-not-exist-lightspeed') })).resolves.toBeInstanceOf(ProviderRegistry);
    await expect(ProviderRegistry.fromEnvironment({ LIGHTSPEED_PROVIDERS_FILE: join(tmpdir(), 'does-not-exist.json') })).rejects.toThrow(LightspeedError);
  });
});

describe('provider router', () => {
  const router = () => new ProviderRouter(new ProviderRegistry({ providers: [], fake: { baseUrl: fake.url, models: ['fake-echo'] } }, {}));

  for (const apiKind of API_KINDS) {
    it(`dispatches ${apiKind} generations to the fake provider by model selection`, async () => {
      const blobs = new MemoryBlobStore();
      const convo = await new Conversation(blobs, apiKind).user(`hello via ${apiKind}`);
      const facts = await router().generate(convo.request('fake-echo', { providerId: 'fake' }), { blobs });
      expect((await outputTexts(blobs, facts))[0]).toContain(`You said: hello via ${apiKind}`);
      expect(fake.requests.at(-1)!.path).toBe({ 'openai:responses': '/v1/responses', 'openai:completions': '/v1/chat/completions', 'anthropic:messages': '/v1/messages' }[apiKind]);
    });
  }

  it('llmPortFromEnvironment serves the fake provider named by LIGHTSPEED_FAKE_PROVIDER_URL', async () => {
    const port = await llmPortFromEnvironment({ LIGHTSPEED_FAKE_PROVIDER_URL: fake.url, LIGHTSPEED_HOME: join(tmpdir(), 'does-not-exist-lightspeed') });
    const blobs = new MemoryBlobStore();
    const convo = await new Conversation(blobs, 'anthropic:messages').user('offline demo');
    const facts = await port.generate(convo.request('fake-echo', { providerId: 'fake' }), { blobs });
    expect((await outputTexts(blobs, facts))[0]).toContain('You said: offline demo');
  });

  it('validates params per adapter and the selection against the registry', () => {
    const r = router();
    expect(r.validateParams({ providerId: 'fake', apiKind: 'anthropic:messages', model: 'm' }, { top_k: 5 })).toBeUndefined();
    expect(r.validateParams({ providerId: 'fake', apiKind: 'anthropic:messages', model: 'm' }, { top_k: -1 })).toMatch(/params\.native\.top_k/);
    expect(r.validateParams({ providerId: 'fake', apiKind: 'openai:responses', model: 'm' }, { reasoning: { effort: 'extreme' } })).toMatch(/params\.native\.reasoning\.effort/);
    expect(r.validateParams({ providerId: 'mystery', apiKind: 'openai:responses', model: 'm' }, undefined)).toMatch(/^providerId: unknown provider "mystery"/);
  });

  it('lists configured and live models, tolerating providers that cannot list', async () => {
    const registry = new ProviderRegistry(
      {
        providers: [{ id: 'offline', apiKind: 'openai:completions', baseUrl: 'http://127.0.0.1:9/v1', requiresApiKey: false, models: ['local-model'] }],
        fake: { baseUrl: fake.url, models: ['fake-echo'] },
      },
      {},
    );
    const models = await new ProviderRouter(registry, { listTimeoutMs: 2000 }).listModels();
    expect(models).toContainEqual({ providerId: 'offline', apiKind: 'openai:completions', model: 'local-model', source: 'configured' });
    expect(models).toContainEqual({ providerId: 'fake', apiKind: 'anthropic:messages', model: 'fake-echo', source: 'configured' });
    expect(models).toContainEqual({ providerId: 'fake', apiKind: 'openai:responses', model: 'fake-reasoning', source: 'live' });
    // openai/anthropic have no keys here: they are not asked, and nothing throws.
    expect(models.some((model) => model.providerId === 'openai')).toBe(false);
  });
});
