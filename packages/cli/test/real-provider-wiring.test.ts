import { startFakeProvider, type FakeProvider } from '@lightspeed/fake-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, runCli, tempDir } from './support/cli-harness.js';

/*
 * The real-provider path (`OPENAI_API_KEY` / `ANTHROPIC_API_KEY`, no --provider) wired exactly as
 * for the real services, pointed at a local server that speaks both protocols and demands the key.
 */
describe('provider keys from the environment', () => {
  let fake: FakeProvider;
  let home: { path: string; remove(): Promise<void> };
  beforeAll(async () => {
    fake = await startFakeProvider({ port: 0, requireApiKey: 'sk-test-key' });
    home = await tempDir('ls-cli-keys-env-');
  });
  afterAll(async () => {
    await fake?.stop();
    await home?.remove();
  });

  it('OPENAI_API_KEY alone selects openai:responses with the default model, and the key reaches the provider', async () => {
    const env = cleanEnv(home.path, { OPENAI_API_KEY: 'sk-test-key', OPENAI_BASE_URL: `${fake.url}/v1` });
    const run = await runCli(['chat', '--data-dir', ':memory:', 'hello openai'], { env });
    expect(run.stderr).not.toContain('lightspeed:');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('You said: hello openai');
    const request = fake.requests[fake.requests.length - 1]!;
    expect(request.path).toBe('/v1/responses');
    expect(JSON.stringify(request)).toContain('gpt-5-mini');
    expect(JSON.stringify(request)).not.toContain('sk-test-key');
  }, 30_000);

  it('--provider anthropic --model picks anthropic:messages and that model', async () => {
    const env = cleanEnv(home.path, { ANTHROPIC_API_KEY: 'sk-test-key', ANTHROPIC_BASE_URL: fake.url });
    const run = await runCli(['chat', '--data-dir', ':memory:', '--provider', 'anthropic', '--model', 'claude-test', 'hello anthropic'], { env });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('You said: hello anthropic');
    const request = fake.requests[fake.requests.length - 1]!;
    expect(request.path).toBe('/v1/messages');
    expect(JSON.stringify(request)).toContain('claude-test');
  }, 30_000);

  it('a wrong key fails the run with the provider\'s auth error and exit 1', async () => {
    const env = cleanEnv(home.path, { OPENAI_API_KEY: 'sk-wrong', OPENAI_BASE_URL: `${fake.url}/v1` });
    const run = await runCli(['chat', '--data-dir', ':memory:', 'hello'], { env });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/run run_1 failed: .*/);
    expect(run.stdout + run.stderr).not.toContain('sk-wrong');
  }, 30_000);
});
