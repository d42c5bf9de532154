import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startFakeProvider } from '@lightspeed/fake-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, runCli, tempDir } from './support/cli-harness.js';

/*
 * The newcomer's path through the real stack: PGlite in a data dir, the in-process fake provider
 * behind the real OpenAI Responses adapter, the real tool runtime over a VFS workspace snapshotted
 * from a local directory, the JSON-RPC gateway and its SSE stream.
 */
describe('one-shot chat through the embedded stack', () => {
  let home: { path: string; remove(): Promise<void> };
  let project: string;
  let env: NodeJS.ProcessEnv;
  let dataDir: string;
  let sessionId: string;

  beforeAll(async () => {
    home = await tempDir('ls-cli-chat-');
    env = cleanEnv(home.path);
    dataDir = join(home.path, 'data');
    project = join(home.path, 'project');
    await mkdir(join(project, 'src'), { recursive: true });
    await writeFile(join(project, 'README.md'), '# demo\n');
    await writeFile(join(project, 'src', 'main.ts'), 'console.log("hi");\n');
    await writeFile(join(project, '.gitignore'), 'secret.txt\n');
    await writeFile(join(project, 'secret.txt'), 'do not upload\n');
  });
  afterAll(() => home.remove());

  it('`chat --provider fake --new "list files" --mount DIR` prints a tool trace and the final answer', async () => {
    const run = await runCli(['chat', '--provider', 'fake', '--data-dir', dataDir, '--new', '--mount', project, 'list files'], { env });
    expect(run.stderr).not.toContain('lightspeed:');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('> tool list_dir(');
    expect(run.stdout).toContain('< tool list_dir: ok');
    // The answer is the fake's summary of the real tool result over the mounted snapshot.
    expect(run.stdout).toContain('[fake model: scripted echo, not a real LLM] Tool results received');
    expect(run.stdout).toMatch(/README\.md \(7 bytes\)/);
    expect(run.stdout).toContain('src/');
    expect(run.stdout).not.toContain('secret.txt');
    sessionId = /session (ses_\S+)/.exec(run.stderr)![1]!;
    // The usage line after the answer (stderr, so piped stdout stays the answer): a tool round is two calls.
    expect(run.stderr).toMatch(/^usage: [\d,]+ in \(0 cached, 0 cache-write\) · [\d,]+ out \(0 reasoning\) · 2 calls · cost unknown \(no prices for this model\)$/m);
    expect(run.stderr).toContain(`continue with: lightspeed chat --data-dir ${dataDir} --provider fake --session ${sessionId} "…"`);
  }, 60_000);

  it('`--session ID --json` continues the session and prints events as JSON lines and a final result', async () => {
    const run = await runCli(['chat', '--provider', 'fake', '--data-dir', dataDir, '--session', sessionId, '--json', 'use read_file {"file_path":"/workspace/README.md"}'], { env });
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split('\n').map((line) => JSON.parse(line));
    expect(lines.some((line) => line.type === 'delta')).toBe(true);
    expect(lines.some((line) => line.type === 'event' && line.event.kind.type === 'toolBatchStarted')).toBe(true);
    const result = lines[lines.length - 1];
    expect(result).toMatchObject({ type: 'result', sessionId, status: 'completed' });
    expect(result.tools).toEqual([expect.objectContaining({ name: 'read_file', status: 'succeeded' })]);
    expect(result.tools[0].output).toContain('# demo');
    expect(result.answer).toContain('read_file returned');
    expect(result.usage).toMatchObject({ calls: 2, costUsd: null, inputTokens: expect.any(Number), outputTokens: expect.any(Number) });
    // The session's totals include the first one-shot run's two calls.
    expect(result.sessionUsage).toMatchObject({ calls: 4, costUsd: null });
    expect(result.sessionUsage.inputTokens).toBeGreaterThan(result.usage.inputTokens);
  }, 60_000);

  it('`sessions list` and `sessions read` show the session and its conversation from the data dir', async () => {
    const list = await runCli(['sessions', 'list', '--data-dir', dataDir], { env });
    expect(list.code).toBe(0);
    expect(list.stdout).toContain(sessionId);
    const read = await runCli(['sessions', 'read', sessionId, '--data-dir', dataDir], { env });
    expect(read.code).toBe(0);
    expect(read.stdout).toContain(`session ${sessionId}`);
    expect(read.stdout).toContain('fake/fake-model');
    expect(read.stdout).toMatch(/run run_1: completed/);
    expect(read.stdout).toContain('user: list files');
    expect(read.stdout).toContain('> tool list_dir(');
    const json = await runCli(['sessions', 'read', sessionId, '--data-dir', dataDir, '--json'], { env });
    expect(JSON.parse(json.stdout).session.runs).toHaveLength(2);
  }, 60_000);

  it('`--provider fake` with LIGHTSPEED_FAKE_PROVIDER_URL set uses that fake provider instead of starting one', async () => {
    const fake = await startFakeProvider({ port: 0 });
    try {
      fake.enqueue({ text: 'answered by the fake you run' });
      const run = await runCli(['chat', '--provider', 'fake', '--data-dir', join(home.path, 'data-external'), '--new', 'hello'], { env: { ...env, LIGHTSPEED_FAKE_PROVIDER_URL: fake.url } });
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toContain('answered by the fake you run');
      expect(fake.requests.filter((request) => request.path.endsWith('/responses'))).toHaveLength(1);
    } finally {
      await fake.stop();
    }
  });

  it('continuing a fake session without --provider fake says to add it', async () => {
    const run = await runCli(['chat', '--data-dir', dataDir, '--session', sessionId, 'more'], { env });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`session ${sessionId} uses the scripted fake provider`);
    expect(run.stderr).toContain('add --provider fake');
  }, 60_000);

  it('a missing session is a one-line error with a hint', async () => {
    const run = await runCli(['chat', '--data-dir', dataDir, '--session', 'ses_missing', 'hi'], { env });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('lightspeed: session ses_missing does not exist');
    expect(run.stderr).toContain('sessions list');
  }, 60_000);

  it('`sessions close` then `sessions delete` remove a session; delete of an open session is refused', async () => {
    const start = await runCli(['chat', '--provider', 'fake', '--data-dir', dataDir, '--new', 'hello'], { env });
    expect(start.code).toBe(0);
    const id = /session (ses_\S+)/.exec(start.stderr)![1]!;
    const early = await runCli(['sessions', 'delete', id, '--data-dir', dataDir], { env });
    expect(early.code).not.toBe(0);
    const closed = await runCli(['sessions', 'close', id, '--data-dir', dataDir], { env });
    expect(closed.stderr).not.toContain('lightspeed:');
    expect(closed.stdout).toContain(`session ${id}: closed`);
    const deleted = await runCli(['sessions', 'delete', id, '--data-dir', dataDir], { env });
    expect(deleted.code).toBe(0);
    expect(deleted.stdout).toContain(`session ${id}: deleted`);
    const list = await runCli(['sessions', 'list', '--data-dir', dataDir], { env });
    expect(list.stdout).not.toContain(id);
  }, 60_000);
});
