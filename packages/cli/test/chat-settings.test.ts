import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startFakeProvider, type FakeProvider, type RecordedRequest } from '@lightspeed/fake-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, runCli, startServe, tempDir } from './support/cli-harness.js';

/*
 * `chat --instructions/--reasoning-effort/--max-turns/--budget-usd/--host-dir/--exec` through the
 * real stack: the OpenAI provider path pointed at a fake provider this test owns, so the requests
 * the model got can be read back (the in-process `--provider fake` leaves with its CLI run).
 */
const PRICED = 'gpt-5.4-mini';
const UNPRICED = 'no-price-model';

const AGENT = `---
description: Terse helper
generation:
  reasoningEffort: low
limits:
  maxTurns: 5
---
Agent instructions from the file.
`;

describe('chat settings flags', () => {
  let fake: FakeProvider;
  let home: { path: string; remove(): Promise<void> };
  let env: NodeJS.ProcessEnv;
  let project: string;
  let hostDir: string;
  let dataDir: string;

  const chat = (args: string[], cwd?: string) => runCli(['chat', '--data-dir', dataDir, ...args], { env, ...(cwd ? { cwd } : {}) });
  const sessionOf = (stderr: string) => /session (ses_\S+)/.exec(stderr)![1]!;
  const readSession = async (id: string) => JSON.parse((await runCli(['sessions', 'read', '--data-dir', dataDir, '--json', id], { env })).stdout).session;
  /** The model requests made since `from` (the fake records every request it served). */
  const modelRequests = (from: number): any[] => fake.requests.slice(from).filter((r: RecordedRequest) => r.path === '/v1/responses').map((r) => r.body);
  const toolNames = (body: any): string[] => (body.tools ?? []).map((tool: { name?: string }) => tool.name);

  beforeAll(async () => {
    fake = await startFakeProvider({ port: 0 });
    home = await tempDir('ls-cli-chat-settings-');
    env = cleanEnv(home.path, { OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: `${fake.url}/v1` });
    dataDir = join(home.path, 'data');
    project = join(home.path, 'project');
    hostDir = join(home.path, 'host');
    await mkdir(join(project, '.lightspeed', 'agents'), { recursive: true });
    await writeFile(join(project, '.lightspeed', 'agents', 'terse.md'), AGENT);
    await writeFile(join(project, 'instructions.md'), 'Always answer in French.\n');
    await writeFile(join(project, 'empty.md'), ' \n\n');
    await mkdir(hostDir);
    await writeFile(join(hostDir, 'notes.txt'), 'host note: the build is green\n');
  });
  afterAll(async () => {
    await fake?.stop();
    await home?.remove();
  });

  it('bad values are refused before anything starts, naming the flag', async () => {
    const cases: [string[], string][] = [
      [['--instructions', 'missing.md'], `--instructions missing.md: cannot read ${join(project, 'missing.md')}: no such file`],
      [['--instructions', 'empty.md'], `--instructions empty.md: ${join(project, 'empty.md')} is empty`],
      [['--instructions', '.'], 'it is a directory'],
      [['--reasoning-effort', 'max'], '--reasoning-effort must be one of none, minimal, low, medium, high, xhigh, got "max"'],
      [['--max-turns', '0'], '--max-turns must be a whole number of at least 1, got "0"'],
      [['--max-turns', '2.5'], '--max-turns must be a whole number'],
      [['--budget-usd', '-1'], '--budget-usd must be a positive number of US dollars'],
      [['--budget-usd', 'lots'], '--budget-usd must be a positive number'],
      [['--exec'], '--exec needs --host-dir DIR'],
      [['--host-dir', 'nowhere'], `--host-dir nowhere: ${join(project, 'nowhere')} does not exist`],
      [['--host-dir', 'instructions.md'], 'is not a directory'],
    ];
    for (const [flags, message] of cases) {
      const run = await chat([...flags, 'hi'], project);
      expect(run.code, flags.join(' ')).toBe(2);
      expect(run.stderr).toContain(message);
    }
  }, 60_000);

  it('--instructions and --reasoning-effort reach the model on a new session', async () => {
    const from = fake.requests.length;
    const run = await chat(['--instructions', 'instructions.md', '--reasoning-effort', 'high', 'hello'], project);
    expect(run.stderr).not.toContain('lightspeed:');
    expect(run.code).toBe(0);
    const [body] = modelRequests(from);
    expect(JSON.stringify(body)).toContain('Always answer in French.');
    expect(body.reasoning).toMatchObject({ effort: 'high' });
    const session = await readSession(sessionOf(run.stderr));
    expect(session.config.generation).toEqual({ reasoningEffort: 'high' });
  }, 60_000);

  it('--max-turns stops a run that needs more turns, naming the limit and the flag', async () => {
    const run = await chat(['--max-turns', '1', '--host-dir', hostDir, 'list files'], project);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('< tool list_dir: ok');
    expect(run.stdout).toContain('failed: the run reached its max_turns limit: used 1 of limits.maxTurns = 1');
    expect(run.stderr).toContain('hint: --max-turns 1 set this limit; raise it to continue');
  }, 60_000);

  it('--budget-usd is refused on a model without prices with the typed error, and set on a priced one', async () => {
    const refused = await chat(['--model', UNPRICED, '--budget-usd', '0.5', 'hello'], project);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`lightspeed: --budget-usd cannot apply: session/start: config.limits.costBudgetUsd: model openai/${UNPRICED} has no price`);
    expect(refused.stderr).toContain('hint: choose a model with prices');
    const priced = await chat(['--model', PRICED, '--budget-usd', '0.5', '--json', 'hello'], project);
    expect(priced.code).toBe(0);
    const result = JSON.parse(priced.stdout.trim().split('\n').pop()!);
    expect(result.status).toBe('completed');
    expect(result.usage.costUsd).toBeGreaterThan(0);
    expect((await readSession(result.sessionId)).config.limits).toEqual({ costBudgetUsd: 0.5 });
  }, 60_000);

  it('--host-dir gives the file tools over the directory, without exec unless --exec', async () => {
    const from = fake.requests.length;
    const read = await chat(['--host-dir', hostDir, '--json', 'use read_file {"file_path":"/notes.txt"}'], project);
    expect(read.code).toBe(0);
    const result = JSON.parse(read.stdout.trim().split('\n').pop()!);
    expect(result.tools).toEqual([expect.objectContaining({ name: 'read_file', status: 'succeeded' })]);
    expect(result.tools[0].output).toContain('host note: the build is green');
    const offered = toolNames(modelRequests(from)[0]);
    expect(offered).toContain('read_file');
    expect(offered).not.toContain('shell_command');
    expect((await readSession(result.sessionId)).config.features.host).toEqual({ root: hostDir, exec: false });
  }, 60_000);

  it('--host-dir --exec runs a command in the directory', async () => {
    const from = fake.requests.length;
    const run = await chat(['--host-dir', hostDir, '--exec', '--json', 'use shell_command {"command":"echo made-by-exec > made.txt && cat notes.txt"}'], project);
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout.trim().split('\n').pop()!);
    expect(result.tools).toEqual([expect.objectContaining({ name: 'shell_command', status: 'succeeded' })]);
    expect(result.tools[0].output).toContain('host note: the build is green');
    expect(await readFile(join(hostDir, 'made.txt'), 'utf8')).toBe('made-by-exec\n');
    expect(toolNames(modelRequests(from)[0])).toContain('shell_command');
  }, 60_000);

  it('the flags override an --agent file and keep its revision pinned', async () => {
    const from = fake.requests.length;
    const run = await chat(['--agent', 'terse', '--instructions', 'instructions.md', '--reasoning-effort', 'high', '--max-turns', '2', 'hello'], project);
    expect(run.stderr).not.toContain('lightspeed:');
    expect(run.code).toBe(0);
    const sent = JSON.stringify(modelRequests(from)[0]);
    expect(sent).toContain('Always answer in French.');
    expect(sent).not.toContain('Agent instructions from the file.');
    const session = await readSession(sessionOf(run.stderr));
    expect(session.profile).toEqual({ profileId: 'terse', revision: 1 });
    expect(session.config).toMatchObject({ generation: { reasoningEffort: 'high' }, limits: { maxTurns: 2 } });
  }, 60_000);

  it('with --session the flags update that session, kept for its later runs', async () => {
    const first = await chat(['hello'], project);
    const sessionId = sessionOf(first.stderr);
    const updated = await chat(['--session', sessionId, '--instructions', 'instructions.md', '--max-turns', '4', 'again'], project);
    expect(updated.stderr).not.toContain('lightspeed:');
    expect(updated.code).toBe(0);
    const from = fake.requests.length;
    const later = await chat(['--session', sessionId, 'and later'], project);
    expect(later.code).toBe(0);
    expect(JSON.stringify(modelRequests(from)[0])).toContain('Always answer in French.');
    expect((await readSession(sessionId)).config.limits).toEqual({ maxTurns: 4 });
  }, 60_000);

  it('a server without host tools refuses --host-dir, and the error says how to enable them', async () => {
    const server = await startServe(['--data-dir', ':memory:'], env);
    try {
      const run = await runCli(['chat', '--api-url', server.url, '--host-dir', hostDir, 'hello'], { env });
      expect(run.code).toBe(2);
      expect(run.stderr).toContain('lightspeed: host tools refused: session/start: features.host is disabled on this server');
      expect(run.stderr).toContain('lightspeed serve --allow-host-tools');
    } finally {
      await server.stop();
    }
    // The local stack grants host tools only to a chat that asks: an agent asking for them alone is refused.
    await writeFile(join(project, '.lightspeed', 'agents', 'hosted.md'), `---\ntools:\n  host:\n    root: ${hostDir}\n---\nUse the host.\n`);
    const agent = await chat(['--agent', 'hosted', 'hello'], project);
    expect(agent.code).toBe(2);
    expect(agent.stderr).toContain('features.host is disabled on this server');
    expect(agent.stderr).toContain('grant them with --host-dir DIR');
  }, 90_000);
});
