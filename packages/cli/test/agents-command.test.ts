import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, runCli, startServe, tempDir } from './support/cli-harness.js';

const GOOD = `---
description: Answers in one line
limits:
  maxTurns: 3
tools:
  files:
    access: readOnly
---
Answer in one line.
`;

const BAD = `---
description: broken
tools:
  host: {}
  webb: {}
limits:
  tokenBudget: 1000
---
`;

describe('lightspeed agents and chat --agent', () => {
  let home: { path: string; remove(): Promise<void> };
  let project: string;
  let env: NodeJS.ProcessEnv;
  let agentsDir: string;

  beforeAll(async () => {
    home = await tempDir('ls-cli-agents-');
    env = cleanEnv(home.path);
    project = join(home.path, 'project');
    agentsDir = join(project, '.lightspeed', 'agents');
    await mkdir(agentsDir, { recursive: true });
    await writeFile(join(agentsDir, 'helper.md'), GOOD);
  });
  afterAll(() => home.remove());

  it('`agents validate` works offline and names file, line and field of every problem', async () => {
    await writeFile(join(agentsDir, 'broken.md'), BAD);
    try {
      const run = await runCli(['agents', 'validate'], { env, cwd: project });
      expect(run.code).toBe(1);
      expect(run.stdout).toBe(`ok\thelper\t${join(agentsDir, 'helper.md')}\n`);
      const file = join(agentsDir, 'broken.md');
      expect(run.stderr).toContain(`${file}:4:3: tools.host.root: `);
      expect(run.stderr).toContain(`${file}:5:3: tools.webb: unknown field`);
      expect(run.stderr).toContain(`${file}:7:3: limits.tokenBudget: not supported yet; remove the field`);
      expect(run.stderr).toContain('1 of 2 agent files are invalid');

      const one = await runCli(['agents', 'validate', '.lightspeed/agents/helper.md'], { env, cwd: project });
      expect(one).toMatchObject({ code: 0 });
      const json = await runCli(['agents', 'validate', '--json', '--project', project], { env });
      expect(JSON.parse(json.stdout)).toMatchObject({ agents: [{ name: 'helper', profile: { profileId: 'helper', config: { limits: { maxTurns: 3 } } } }], problems: expect.any(Array) });

      // A chat with the invalid agent stops before anything starts, with the same report.
      const chat = await runCli(['chat', '--provider', 'fake', '--data-dir', ':memory:', '--agent', 'broken', 'hi'], { env, cwd: project });
      expect(chat.code).toBe(2);
      expect(chat.stderr).toContain('invalid agent definition');
      expect(chat.stderr).toContain(`${file}:5:3: tools.webb: unknown field`);
    } finally {
      await writeFile(join(agentsDir, 'broken.md'), GOOD.replace('one line', 'two lines'));
    }
  });

  it('`agents list` and `agents show` read the project files', async () => {
    const list = await runCli(['agents', 'list'], { env, cwd: project });
    expect(list.code).toBe(0);
    expect(list.stdout).toContain('helper\tdefault model\tAnswers in one line\n');
    const show = await runCli(['agents', 'show', 'helper'], { env, cwd: project });
    expect(JSON.parse(show.stdout)).toEqual({
      profileId: 'helper',
      description: 'Answers in one line',
      instructions: { type: 'text', text: 'Answer in one line.' },
      config: { limits: { maxTurns: 3 }, features: { vfs: { version: 1, tools: 'readOnly', workspaceLinks: [] } } },
    });
    expect((await runCli(['agents', 'show', 'nobody'], { env, cwd: project })).code).toBe(1);
  });

  it('`chat --agent NAME` stores the file as a profile and runs a session pinned to its revision', async () => {
    const dataDir = join(home.path, 'data');
    const first = await runCli(['chat', '--provider', 'fake', '--data-dir', dataDir, '--agent', 'helper', 'hello'], { env, cwd: project });
    expect(first.stderr).not.toContain('lightspeed:');
    expect(first.code).toBe(0);
    const sessionId = /session (ses_\S+)/.exec(first.stderr)![1]!;
    const read = await runCli(['sessions', 'read', '--data-dir', dataDir, '--json', sessionId], { env });
    const session = JSON.parse(read.stdout).session;
    expect(session.profile).toEqual({ profileId: 'helper', revision: 1 });
    expect(session.config.limits).toEqual({ maxTurns: 3 });
    expect(session.activeContext.entries).toContainEqual(expect.objectContaining({ key: 'prompt_instructions/profile', preview: 'Answer in one line.' }));

    // An unchanged file keeps revision 1; an edited one is revision 2 for the next session.
    await runCli(['chat', '--provider', 'fake', '--data-dir', dataDir, '--agent', 'helper', 'again'], { env, cwd: project });
    expect((await runCli(['agents', 'list', '--stored', '--data-dir', dataDir], { env })).stdout).toContain('helper\trevision 1\tAnswers in one line');
    await writeFile(join(agentsDir, 'helper.md'), GOOD.replace('maxTurns: 3', 'maxTurns: 4'));
    const edited = await runCli(['chat', '--provider', 'fake', '--data-dir', dataDir, '--agent', 'helper', 'and now'], { env, cwd: project });
    const next = /session (ses_\S+)/.exec(edited.stderr)![1]!;
    expect((await runCli(['sessions', 'read', '--data-dir', dataDir, next], { env })).stdout).toContain('agent helper revision 2');
    // With --mount the agent's config stands and the directory is linked at /workspace.
    await writeFile(join(project, 'notes.md'), '# notes\n');
    const mounted = await runCli(['chat', '--provider', 'fake', '--data-dir', dataDir, '--agent', 'helper', '--mount', project, '--json', 'use read_file {"file_path":"/workspace/notes.md"}'], { env, cwd: project });
    expect(mounted.code).toBe(0);
    const result = JSON.parse(mounted.stdout.trim().split('\n').pop()!);
    expect(result.tools).toEqual([expect.objectContaining({ name: 'read_file', status: 'succeeded' })]);
    const mountedSession = JSON.parse((await runCli(['sessions', 'read', '--data-dir', dataDir, '--json', result.sessionId], { env })).stdout).session;
    expect(mountedSession).toMatchObject({ profile: { profileId: 'helper', revision: 2 }, config: { limits: { maxTurns: 4 }, features: { vfs: { tools: 'readOnly' } } } });
    const stored = JSON.parse((await runCli(['agents', 'show', '--stored', '--data-dir', dataDir, 'helper'], { env })).stdout);
    expect(stored).toMatchObject({ profileId: 'helper', revision: 2, config: { limits: { maxTurns: 4 } } });
  }, 120_000);

  it('`serve --project DIR` stores the project agents at start, so API clients start sessions from them', async () => {
    const server = await startServe(['--provider', 'fake', '--data-dir', ':memory:', '--project', project], env);
    try {
      const call = async (method: string, params: unknown) => {
        const response = await fetch(`${server.url}/rpc`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) });
        return ((await response.json()) as any).result.result;
      };
      expect((await call('profiles/list', {})).profiles.map((p: any) => p.profileId)).toEqual(['broken', 'helper']);
      const { session } = await call('session/start', { profile: { kind: 'named', profileId: 'helper' } });
      expect(session.profile).toEqual({ profileId: 'helper', revision: 1 });
    } finally {
      const stopped = await server.stop();
      expect(stopped.stderr).toContain(`agents from ${agentsDir}: broken (revision 1), helper (revision 1)`);
    }
    // An invalid agent file stops serve before it binds, with file and line.
    await writeFile(join(agentsDir, 'broken.md'), BAD);
    const refused = await runCli(['serve', '--provider', 'fake', '--data-dir', ':memory:', '--port', '0', '--project', project], { env });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`${join(agentsDir, 'broken.md')}:5:3: tools.webb: unknown field`);
    expect(refused.stdout).not.toContain('serving on');
  }, 60_000);
});
