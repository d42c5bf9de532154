import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeProvider, type FakeProvider } from '@lightspeed/fake-provider';
import { cleanEnv, runCli, tempDir } from './support/cli-harness.js';

describe('lightspeed memory ask (embedded PGlite stack, scripted fake provider)', () => {
  let home: { path: string; remove(): Promise<void> };
  let fake: FakeProvider;
  let env: NodeJS.ProcessEnv;
  const cli = (args: string[], cwd?: string) => runCli([...args, '--data-dir', join(home.path, 'data')], { env, ...(cwd ? { cwd } : {}) });

  beforeAll(async () => {
    home = await tempDir('ls-cli-memory-ask-');
    fake = await startFakeProvider({ port: 0 });
    env = cleanEnv(home.path, { LIGHTSPEED_MEMORY_KEY: 'ef'.repeat(32), LIGHTSPEED_FAKE_PROVIDER_URL: fake.url });
    const put = await cli(['memory', 'sources', 'put', 'gh', '--provider', 'github']);
    expect(put.code, put.stderr).toBe(0);
    const body = JSON.stringify({ action: 'opened', issue: { number: 3, title: 'Login page returns 500', updated_at: '2026-06-01T08:00:00Z', user: { login: 'bo' } }, repository: { full_name: 'octo/app' } });
    await writeFile(join(home.path, 'd.jsonl'), `${JSON.stringify({ provider: 'github', headers: { 'X-GitHub-Event': 'issues', 'X-GitHub-Delivery': 'd-1' }, body })}\n`);
    const imported = await cli(['memory', 'import', join(home.path, 'd.jsonl'), '--source', 'gh', '--trusted']);
    expect(imported.code, imported.stderr).toBe(0);
  }, 60_000);
  afterAll(async () => {
    await fake?.stop();
    await home?.remove();
  });

  it('follows the run (tool calls on stderr) and prints the verified answer; a fabricated citation is dropped and reported', async () => {
    fake.enqueue({ toolCalls: [{ name: 'memory_search', arguments: { query: 'login page' } }] }, { text: 'Issue #3 reports it [issue:github:octo/app#3] [mev_00000000-fake].' });
    const run = await cli(['memory', 'ask', '--provider', 'fake', 'Why', 'is', 'login', 'broken?']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('→ memory_search');
    expect(run.stderr).toContain('✓ memory_search succeeded');
    expect(run.stdout).toBe('Issue #3 reports it [issue:github:octo/app#3].\n\ncitations: issue:github:octo/app#3\n');
    expect(run.stderr).toContain('dropped citation mev_00000000-fake (no such id in this universe)');

    fake.enqueue({ text: 'I found nothing in memory about it.' });
    const json = await cli(['memory', 'ask', '--provider', 'fake', '--json', 'Anything on billing?']);
    expect(JSON.parse(json.stdout)).toMatchObject({ status: 'completed', grounded: false, citations: [], droppedCitations: [], answer: 'I found nothing in memory about it.' });
  }, 120_000);

  it("the project's .lightspeed/agents/answer.md overrides the shipped agent; --agent names another one", async () => {
    const project = join(home.path, 'project');
    await mkdir(join(project, '.lightspeed', 'agents'), { recursive: true });
    await writeFile(join(project, '.lightspeed', 'agents', 'answer.md'), '---\ntools:\n  memory:\n    tools: [memory_get]\n---\nOne line only.\n');
    fake.enqueue({ text: 'One line.' });
    const run = await cli(['memory', 'ask', '--provider', 'fake', '--json', 'Anything?'], project);
    const result = JSON.parse(run.stdout);
    const session = JSON.parse((await cli(['sessions', 'read', result.sessionId, '--json'])).stdout);
    expect(JSON.stringify(session)).toContain('"profileId":"answer"');
    const unknown = await cli(['memory', 'ask', '--provider', 'fake', '--agent', 'nobody', 'Anything?'], project);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toMatch(/nobody/);
  }, 120_000);
});
