// Coding-agent CLIs (real Claude Code and Codex, installed by scripts/setup.d/agent-clis.sh) run as
// environment commands against the fake provider: the workspace's new snapshot holds their change.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { getText } from '@lightspeed/cas';
import { claudeCodeWriteEditScripts, codexWriteEditScripts, startFakeProvider, type FakeProvider } from '@lightspeed/fake-provider';
import { agentCliBinaryPath, parseDelegateConfig, type AgentCliName } from '@lightspeed/tools';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { delegateInEnvironment, probeBubblewrap, type Environments } from '../src/index.js';
import { startEnvironmentStack, stopStorageBackends, storageBackends, UNIVERSE, type EnvironmentStack } from './support/environment-stack.js';

const haveClis = existsSync(agentCliBinaryPath('claude-code')) && existsSync(agentCliBinaryPath('codex'));
if (process.env.CI === 'true' && !haveClis) throw new Error('CI must install the agent CLIs: scripts/setup.d/agent-clis.sh');

const SECRET = 'sk-fake-environment-secret-5678';
const KEY_ENV: Record<AgentCliName, string> = { 'claude-code': 'ANTHROPIC_API_KEY', codex: 'LIGHTSPEED_FAKE_KEY' };
const MODEL: Record<AgentCliName, string> = { 'claude-code': 'claude-sonnet-4-5', codex: 'fake-echo' };

afterAll(stopStorageBackends);

const backends = storageBackends;

describe.skipIf(!haveClis).each(backends)('delegation inside an environment on %s', (_name, backend) => {
  let stack: EnvironmentStack;
  let environments: Environments;
  let fake: FakeProvider;
  let root: string;
  beforeAll(async () => {
    stack = await startEnvironmentStack(await backend());
    // Not under the temp dir: Codex refuses to set up its sandbox helpers below it.
    root = await mkdtemp(join(homedir(), '.cache', 'lightspeed', 'delegate-envs-'));
    environments = stack.environments({ root, env: { PATH: process.env.PATH, [KEY_ENV['claude-code']]: SECRET, [KEY_ENV.codex]: SECRET } });
    fake = await startFakeProvider({ port: 0, requireApiKey: SECRET });
  }, 60_000);
  afterAll(async () => {
    await fake?.stop();
    await stack?.close();
    await rm(root, { recursive: true, force: true });
  });

  for (const cli of ['claude-code', 'codex'] as const) {
    it(`${cli} edits the workspace through its own tools; the new snapshot and the diff hold the change`, async () => {
      fake.reset();
      const workspaceId = `ws-${cli}`;
      await stack.workspace(workspaceId, { 'README.md': 'project\n' });
      const environment = await environments.create({ id: `delegate-${cli}`, workspaceId, credentials: [KEY_ENV[cli]] });
      fake.enqueue(...(cli === 'claude-code' ? claudeCodeWriteEditScripts({ path: join(environment.workDir, 'notes.txt') }) : codexWriteEditScripts({ path: 'notes.txt' })));
      const config = parseDelegateConfig({ cli, model: MODEL[cli], credentialsEnv: [KEY_ENV[cli]], timeoutMs: 60_000 });
      const live: string[] = [];
      const outcome = await delegateInEnvironment(environment, {
        config,
        task: 'Write notes.txt, then edit it.',
        providerBaseUrl: cli === 'codex' ? `${fake.url}/v1` : fake.url,
        commandId: `delegation-${cli}`,
        onStep: (step) => live.push(step.type),
      });
      expect(outcome.reason).toBeUndefined();
      // The sub-transcript streamed while the CLI ran, step for step what the outcome holds.
      expect(live).toEqual(outcome.steps.map((step) => step.type));
      expect(live).toContain('tool_call');
      expect(outcome.status).toBe('completed');
      expect(outcome.command.isolation).toBe(probeBubblewrap().available ? 'bubblewrap' : 'none');
      expect(await stack.readFile(workspaceId, 'notes.txt')).toBe('hello, edited\n');
      expect(await stack.readFile(workspaceId, 'README.md')).toBe('project\n');
      expect(outcome.command.collected?.changes.map((change) => change.path)).toEqual(['/notes.txt']);
      const patch = await getText(stack.storage.blobs(UNIVERSE), outcome.command.collected!.patchRef);
      expect(patch).toContain('+hello, edited');
      expect(outcome.steps.filter((step) => step.type === 'tool_call').map((step) => (step.type === 'tool_call' ? step.name : ''))).toEqual(cli === 'claude-code' ? ['Write', 'Edit'] : ['shell', 'apply_patch']);
      expect(outcome.finalMessage).toMatch(/^Done: wrote and edited/);
      expect(fake.requests).toHaveLength(3);
      expect(outcome.command.stdout).not.toContain(SECRET);
      // The CLI's own state lived in the environment's home, never in the collected work directory.
      expect(outcome.command.collected?.changes.some((change) => change.path.startsWith('/.'))).toBe(false);
    });
  }

  it('stops Codex at its turn limit while it runs (it has no turn flag), killing its namespace', async () => {
    fake.reset();
    await stack.workspace('ws-turns', { 'README.md': 'project\n' });
    const environment = await environments.create({ id: 'delegate-turns', workspaceId: 'ws-turns', credentials: [KEY_ENV.codex] });
    fake.enqueue(...codexWriteEditScripts({ path: 'notes.txt' }));
    const config = parseDelegateConfig({ cli: 'codex', model: MODEL.codex, credentialsEnv: [KEY_ENV.codex], timeoutMs: 60_000, maxTurns: 1 });
    const outcome = await delegateInEnvironment(environment, { config, task: 'Write notes.txt, then edit it.', providerBaseUrl: `${fake.url}/v1`, commandId: 'delegation-turns' });
    expect(outcome.status).toBe('turn_limit');
    expect(outcome.reason).toMatch(/limit of 1 turns/);
    expect(outcome.command.cancelled).toBe(true);
    // Stopped after its first tool call: the model never got to ask for the edit and the close.
    expect(fake.requests.length).toBeLessThan(3);
    expect(await stack.readFile('ws-turns', 'notes.txt').catch(() => undefined)).not.toBe('hello, edited\n');
  });

  it('refuses a delegation whose credentials the environment does not carry', async () => {
    await stack.workspace('ws-refused', {});
    const environment = await environments.create({ id: 'delegate-refused', workspaceId: 'ws-refused' });
    const config = parseDelegateConfig({ cli: 'claude-code', model: 'm', credentialsEnv: ['ANTHROPIC_API_KEY'] });
    await expect(delegateInEnvironment(environment, { config, task: 't', providerBaseUrl: fake.url })).rejects.toMatchObject({ code: 'invalid', details: { field: 'delegate.credentialsEnv' } });
  });
});
