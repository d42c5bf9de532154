import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, runCli, tempDir } from './support/cli-harness.js';

/*
 * `sessions config`, `sessions skills` and `runs list|read` against the embedded stack in a data
 * dir: a one-shot chat mounts a project with a skill, the config grants skills, the skill is
 * activated and the next run carries it.
 */
describe('sessions config, sessions skills, runs list and read', () => {
  let home: { path: string; remove(): Promise<void> };
  let env: NodeJS.ProcessEnv;
  let dataDir: string;
  let sessionId: string;
  const cli = (...args: string[]) => runCli([...args, '--data-dir', dataDir], { env });

  beforeAll(async () => {
    home = await tempDir('ls-cli-skills-');
    env = cleanEnv(home.path);
    dataDir = join(home.path, 'data');
    const project = join(home.path, 'project');
    await mkdir(join(project, 'skills', 'notes'), { recursive: true });
    await writeFile(join(project, 'skills', 'notes', 'SKILL.md'), '---\nname: notes\ndescription: Keep short notes.\n---\nEnd every answer with a one-line note.\n');
    const chat = await runCli(['chat', '--provider', 'fake', '--data-dir', dataDir, '--new', '--mount', project, 'hello'], { env });
    expect(chat.code).toBe(0);
    sessionId = /session (ses_\S+)/.exec(chat.stderr)![1]!;
  }, 60_000);
  afterAll(() => home.remove());

  it('`sessions config` shows the config and --set/--unset change fields under its revision', async () => {
    const shown = await cli('sessions', 'config', sessionId);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain(`session ${sessionId} · config revision 1`);
    expect(shown.stdout).toContain('"workspaceLinks"');

    // Changing a fake session's config needs the fake registered, as continuing its chat does.
    const set = await cli('sessions', 'config', sessionId, '--provider', 'fake', '--set', 'features.vfs.skills={}', '--set', 'limits.maxTurns=6', '--json');
    expect(set.stderr).not.toContain('lightspeed:');
    const json = JSON.parse(set.stdout);
    expect(json).toMatchObject({ sessionId, configRevision: 2, config: { limits: { maxTurns: 6 }, features: { vfs: { skills: {} } } } });

    const unset = await cli('sessions', 'config', sessionId, '--provider', 'fake', '--unset', 'limits.maxTurns', '--json');
    expect(JSON.parse(unset.stdout).config.limits?.maxTurns).toBeUndefined();

    // The server validates the edited config: an unknown field is refused, naming it.
    const bad = await cli('sessions', 'config', sessionId, '--provider', 'fake', '--set', 'limits.maxTurnz=3');
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('maxTurnz');
    const path = await cli('sessions', 'config', sessionId, '--set', 'oops');
    expect(path.code).toBe(2);
    expect(path.stderr).toContain('expected PATH=VALUE');
  }, 60_000);

  it('`sessions skills` lists, activates (idempotently) and deactivates; the activation is a session context entry a later run runs with', async () => {
    const list = await cli('sessions', 'skills', 'list', sessionId);
    expect(list.stderr).not.toContain('lightspeed:');
    expect(list.stdout).toBe('  notes\t/workspace/skills/notes\tKeep short notes.\n');

    const activated = await cli('sessions', 'skills', 'activate', sessionId, 'notes');
    expect(activated.stdout).toBe('activated notes\t/workspace/skills/notes\tsession\n');
    expect((await cli('sessions', 'skills', 'activate', sessionId, 'notes')).code).toBe(0);
    expect((await cli('sessions', 'skills', 'active', sessionId)).stdout).toBe('notes\t/workspace/skills/notes\tsession\n');
    expect((await cli('sessions', 'skills', 'list', sessionId)).stdout).toContain('* notes');

    const unknown = await cli('sessions', 'skills', 'activate', sessionId, 'nope');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no skill "nope"; available: notes');

    // The skill is an instructions-section entry of the session context from now on.
    expect((await cli('sessions', 'read', sessionId)).stdout).toContain('skill active: /workspace/skills/notes');
    const read = await cli('sessions', 'read', sessionId, '--json');
    expect(JSON.parse(read.stdout).session.activeContext.entries).toEqual(expect.arrayContaining([expect.objectContaining({ key: 'skills:active:/workspace/skills/notes', kind: { type: 'skillActivation', catalogId: 'skills:catalog', skillId: '/workspace/skills/notes' } })]));

    const second = await runCli(['chat', '--provider', 'fake', '--data-dir', dataDir, '--session', sessionId, 'again'], { env });
    expect(second.code).toBe(0);

    expect((await cli('sessions', 'skills', 'deactivate', sessionId, '/workspace/skills/notes')).stdout).toBe('deactivated /workspace/skills/notes\n');
    const again = await cli('sessions', 'skills', 'deactivate', sessionId, 'notes');
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('is not active');
    expect((await cli('sessions', 'skills', 'active', sessionId)).stderr).toContain('no skills active');
  }, 60_000);

  it('`runs list` and `runs read` show the runs, their usage and transcript', async () => {
    const list = await cli('runs', 'list', sessionId);
    expect(list.code).toBe(0);
    expect(list.stdout).toBe('run_1\tcompleted\thello\nrun_2\tcompleted\tagain\n');
    const read = await cli('runs', 'read', sessionId, 'run_2');
    expect(read.stdout).toContain('run run_2 · completed');
    expect(read.stdout).toMatch(/^usage: [\d,]+ in \(0 cached, 0 cache-write\) · [\d,]+ out \(0 reasoning\) · 1 calls · cost unknown$/m);
    expect(read.stdout).toContain('user: again');
    const json = JSON.parse((await cli('runs', 'read', sessionId, 'run_1', '--json')).stdout);
    expect(json).toMatchObject({ sessionId, run: { id: 'run_1', status: 'completed', usage: { calls: 1 } } });
    const missing = await cli('runs', 'read', sessionId, 'run_9');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`session ${sessionId} has no run run_9`);
    expect(missing.stderr).toContain(`lightspeed runs list ${sessionId}`);
  }, 60_000);
});
