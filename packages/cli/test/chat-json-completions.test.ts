import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startFakeProvider, type FakeProvider } from '@lightspeed/fake-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, cleanEnv, runCli, tempDir } from './support/cli-harness.js';

/*
 * `chat --json` over an OpenAI-compatible (openai:completions) provider answering with a real
 * recorded xAI stream (packages/llm/test/fixtures/recorded): the result view reads the call's
 * arguments from the Chat Completions item.
 */
describe('chat --json with a chat-completions provider', () => {
  let fake: FakeProvider;
  let home: { path: string; remove(): Promise<void> };
  beforeAll(async () => {
    fake = await startFakeProvider({ port: 0 });
    home = await tempDir('ls-cli-json-completions-');
  });
  afterAll(async () => {
    await fake?.stop();
    await home?.remove();
  });

  it('prints the tool call arguments as sent, not the preview', async () => {
    const providers = join(home.path, 'providers.json');
    await writeFile(providers, JSON.stringify({ providers: [{ id: 'compat', apiKind: 'openai:completions', baseUrl: `${fake.url}/v1`, requiresApiKey: false, models: ['grok-3-mini'], liveModels: false }] }));
    const recorded = readFileSync(join(REPO_ROOT, 'packages/llm/test/fixtures/recorded/xai/tool-call-one-chunk.chunks.txt'), 'utf8');
    fake.enqueue({ replay: recorded }, { text: 'Foggy.' });
    const env = cleanEnv(home.path, { LIGHTSPEED_PROVIDERS_FILE: providers });
    const run = await runCli(['chat', '--data-dir', ':memory:', '--provider', 'compat', '--json', 'weather in SF?'], { env });
    expect(run.stderr).not.toContain('lightspeed:');
    const result = JSON.parse(run.stdout.trim().split('\n').at(-1)!);
    expect(result.type).toBe('result');
    expect(result.tools).toEqual([expect.objectContaining({ callId: 'call_79382389', name: 'weather' })]);
    expect(JSON.stringify(result.tools[0].arguments)).not.toContain('__unparsed');
    expect(result.tools[0].arguments).toBe('{"location":"San Francisco"}');
  }, 60_000);

  it('an Anthropic answer with web-search citations reads as one answer, with its sources in --json and under the answer', async () => {
    const providers = join(home.path, 'providers-anthropic.json');
    await writeFile(providers, JSON.stringify({ providers: [{ id: 'claude', apiKind: 'anthropic:messages', baseUrl: fake.url, requiresApiKey: false, models: ['claude-sonnet-4-5'], liveModels: false }] }));
    const recorded = readFileSync(join(REPO_ROOT, 'packages/llm/test/fixtures/recorded/anthropic/web-search-citations.chunks.txt'), 'utf8');
    const env = cleanEnv(home.path, { LIGHTSPEED_PROVIDERS_FILE: providers });
    fake.enqueue({ replay: recorded });
    const json = await runCli(['chat', '--data-dir', ':memory:', '--provider', 'claude', '--json', 'tech news?'], { env });
    expect(json.stderr).not.toContain('lightspeed:');
    const result = JSON.parse(json.stdout.trim().split('\n').at(-1)!);
    expect(result.status).toBe('completed');
    expect(result.sources.length).toBeGreaterThan(0);
    expect(result.sources[0]).toMatchObject({ url: expect.stringMatching(/^https:\/\//), title: expect.any(String), citedText: expect.any(String) });
    expect(new Set(result.sources.map((s: any) => s.url)).size).toBe(result.sources.length);
    fake.enqueue({ replay: recorded });
    const human = await runCli(['chat', '--data-dir', ':memory:', '--provider', 'claude', 'tech news?'], { env });
    expect(human.stdout).toMatch(/\nsources:\n {2}\[1\] .+ — https:\/\/\S+\n/);
  }, 60_000);
});
