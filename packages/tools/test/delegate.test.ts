import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryBlobStore } from '@lightspeed/cas';
import { delegatedUsageOf } from '@lightspeed/engine';
import { claudeCodeWriteEditScripts, codexWriteEditScripts, startFakeProvider, type FakeProvider } from '@lightspeed/fake-provider';
import { LightspeedError } from '@lightspeed/ports';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { harness } from './harness.js';
import {
  agentCliBinaryPath,
  availableConfinement,
  createCodexParser,
  delegateTool,
  openProviderBridge,
  workingConfinements,
  parseDelegateArgs,
  parseDelegateConfig,
  takePreDelegationSnapshot,
  type AgentCliName,
  type DelegateStep,
  type ToolEnv,
} from '../src/index.js';

describe('delegate config', () => {
  it('fills defaults and keeps what is given', () => {
    expect(parseDelegateConfig({ cli: 'claude-code', model: 'claude-sonnet-4-5', allowedTools: ['Write'], credentialsEnv: ['ANTHROPIC_API_KEY'] })).toEqual({
      cli: 'claude-code',
      model: 'claude-sonnet-4-5',
      allowedTools: ['Write'],
      network: 'provider',
      credentialsEnv: ['ANTHROPIC_API_KEY'],
      maxTurns: 30,
      timeoutMs: 900_000,
    });
  });

  it('refuses unknown fields by name, and fields that would do nothing', () => {
    const refused = (raw: unknown): LightspeedError => {
      try {
        parseDelegateConfig(raw);
      } catch (error) {
        return error as LightspeedError;
      }
      throw new Error('accepted');
    };
    const unknown = refused({ cli: 'codex', model: 'm', sandbox: 'none', credentialsEnv: ['K'] });
    expect(unknown).toBeInstanceOf(LightspeedError);
    expect(unknown.code).toBe('invalid');
    expect(unknown.message).toContain('delegate.sandbox');
    expect(unknown.details).toMatchObject({ unknown: ['sandbox'] });
    expect(refused({ cli: 'aider', model: 'm' }).details).toMatchObject({ field: 'delegate.cli' });
    expect(refused({ cli: 'codex', model: 'm', allowedTools: ['shell'] }).details).toMatchObject({ field: 'delegate.allowedTools' });
    expect(refused({ cli: 'codex', model: 'm', credentialsEnv: ['not a name'] }).details).toMatchObject({ field: 'delegate.credentialsEnv.0' });
  });

  it('reads the tool arguments strictly', () => {
    expect(parseDelegateArgs({ task: 'fix it', cli: 'codex' })).toEqual({ task: 'fix it', cli: 'codex' });
    expect(() => parseDelegateArgs({ task: 'x', model: 'y' })).toThrow(/unknown argument `model`/);
    expect(() => parseDelegateArgs({ task: '' })).toThrow(/task/);
  });

  it('reads delegated usage effects, leaving an unreported cost unknown', () => {
    expect(delegatedUsageOf({ input: '10', output: '2', calls: '3' })).toEqual({ input: 10, cachedInput: 0, cacheWrite: 0, output: 2, reasoning: 0, calls: 3, costUsd: null });
    expect(delegatedUsageOf({ input: '-1' })).toBeUndefined();
    expect(delegatedUsageOf({ input: '1', costUsd: '0.5' })?.costUsd).toBe(0.5);
  });
});

describe('codex stream', () => {
  it('gives a call and its result for an item that arrives already completed', () => {
    const parse = createCodexParser();
    const steps = parse(JSON.stringify({ type: 'item.completed', item: { id: 'item_1', type: 'command_execution', command: 'ls', aggregated_output: 'a\n', exit_code: 0, status: 'completed' } }));
    expect(steps).toEqual([
      { type: 'tool_call', id: 'item_1', name: 'shell', input: { command: 'ls' } },
      { type: 'tool_result', id: 'item_1', output: 'a\n\n(exit 0)', isError: false },
    ]);
  });
});

/** Live (not zombie) processes whose working directory is `dir`. */
function processesIn(dir: string): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (realpathSync(`/proc/${entry}/cwd`) !== realpathSync(dir)) continue;
      if (/\) Z /.test(readFileSync(`/proc/${entry}/stat`, 'utf8'))) continue;
      out.push(Number(entry));
    } catch {
      // Gone, or not ours to read.
    }
  }
  return out;
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
}

const installed = (cli: AgentCliName): boolean => existsSync(agentCliBinaryPath(cli));
// CI installs both (scripts/setup.d/agent-clis.sh); elsewhere a missing CLI skips its tests.
const haveClis = installed('claude-code') && installed('codex');
if (process.env.CI === 'true' && !haveClis) throw new Error('CI must install the agent CLIs: scripts/setup.d/agent-clis.sh');

const MODEL: Record<AgentCliName, string> = { 'claude-code': 'claude-sonnet-4-5', codex: 'fake-echo' };
const KEY_ENV: Record<AgentCliName, string> = { 'claude-code': 'ANTHROPIC_API_KEY', codex: 'LIGHTSPEED_FAKE_KEY' };
const SECRET = 'sk-fake-delegate-secret-1234';

describe.skipIf(!haveClis)('delegate runs the real CLIs against the fake provider, with no network', () => {
  let fake: FakeProvider;
  let checkpointDir: string;
  beforeAll(async () => {
    fake = await startFakeProvider({ port: 0, requireApiKey: SECRET });
    checkpointDir = await mkdtemp(join(tmpdir(), 'delegate-checkpoints-'));
  });
  afterAll(async () => {
    await fake.stop();
    await rm(checkpointDir, { recursive: true, force: true });
  });

  let calls = 0;
  const run = async (cli: AgentCliName, workdir: string, options: { signal?: AbortSignal; allowedTools?: string[]; onStep?: (step: DelegateStep) => void; onStarted?: (pgid: number) => void; callId?: string } = {}) => {
    const config = parseDelegateConfig({ cli, model: MODEL[cli], credentialsEnv: [KEY_ENV[cli]], timeoutMs: 60_000, ...(options.allowedTools ? { allowedTools: options.allowedTools } : {}) });
    const tool = delegateTool({
      configs: [config],
      providerBaseUrl: (name) => (name === 'codex' ? `${fake.url}/v1` : fake.url),
      workdirOf: () => workdir,
      credentialSource: { [KEY_ENV[cli]]: SECRET },
      checkpointDir,
      onStep: (_env, step) => options.onStep?.(step),
      onStarted: (_env, pgid) => options.onStarted?.(pgid),
    });
    const env = { sessionId: 's1', runId: 'r1', turnId: 't1', batchId: 'b1', callId: options.callId ?? `call-${++calls}`, blobs: new MemoryBlobStore(), files: () => { throw new Error('unused'); }, ...(options.signal ? { signal: options.signal } : {}) } as ToolEnv;
    const result = await tool.run({ task: 'Write notes.txt saying hello, then edit it.' }, env);
    return { result, json: result.json as Record<string, unknown> & { transcript: DelegateStep[] } };
  };

  const workspace = (): string => mkdtempSync(join(tmpdir(), 'delegate-ws-'));

  for (const cli of ['claude-code', 'codex'] as const) {
    it(`${cli} writes and edits a file through its own tools; the changes, its steps and its usage come back`, async () => {
      fake.reset();
      const workdir = workspace();
      const scripts = cli === 'claude-code' ? claudeCodeWriteEditScripts({ path: join(workdir, 'notes.txt') }) : codexWriteEditScripts({ path: 'notes.txt' });
      fake.enqueue(...scripts);
      const live: DelegateStep[] = [];
      const { result, json } = await run(cli, workdir, { onStep: (step) => live.push(step) });
      expect(json.reason).toBeUndefined();
      expect(json.status).toBe('completed');
      expect(result.isError).toBe(false);
      expect(readFileSync(join(workdir, 'notes.txt'), 'utf8')).toBe('hello, edited\n');
      expect(json.changes).toEqual([{ path: 'notes.txt', change: 'added' }]);
      expect(json.diff).toContain('+hello, edited');
      expect(json.finalMessage).toMatch(/^Done: wrote and edited/);
      const calls = json.transcript.filter((step) => step.type === 'tool_call').map((step) => (step.type === 'tool_call' ? step.name : ''));
      expect(calls).toEqual(cli === 'claude-code' ? ['Write', 'Edit'] : ['shell', 'apply_patch']);
      expect(json.transcript.filter((step) => step.type === 'tool_result').every((step) => step.type === 'tool_result' && !step.isError)).toBe(true);
      // The live stream carried the same steps as the stored transcript.
      expect(live).toEqual(json.transcript);
      // Every model request reached the fake: one per script, and the queue is drained.
      expect(fake.requests.map((request) => request.path)).toEqual(Array(3).fill(cli === 'claude-code' ? '/v1/messages' : '/v1/responses'));
      const usage = result.effects?.find((effect) => effect.kind === 'delegate.usage');
      expect(Number(usage?.data?.input)).toBeGreaterThan(0);
      expect(JSON.stringify(json)).not.toContain(SECRET);
      expect(json.isolated).toBe(availableConfinement() !== 'none');
    });

    it(`cancelling ${cli} kills its whole process group`, async () => {
      fake.reset();
      const workdir = workspace();
      fake.enqueue(cli === 'claude-code' ? { toolCalls: [{ name: 'Bash', arguments: { command: 'tail -f /dev/null', description: 'follow' } }] } : { toolCalls: [{ name: 'exec_command', arguments: { cmd: 'tail -f /dev/null', yield_time_ms: 30000 } }] });
      const controller = new AbortController();
      let pgid = 0;
      const started = Date.now();
      const { json } = await run(cli, workdir, {
        signal: controller.signal,
        ...(cli === 'claude-code' ? { allowedTools: ['Bash'] } : {}),
        onStarted: (id) => (pgid = id),
        onStep: (step) => {
          // Abort once the command runs in the workspace (its process is what must die).
          if (step.type === 'tool_call') void waitFor(() => processesIn(workdir).length > 0, 20_000).then(() => controller.abort());
        },
      });
      expect(json.status).toBe('cancelled');
      expect(Date.now() - started).toBeLessThan(30_000);
      expect(pgid).toBeGreaterThan(0);
      // Every process of the CLI's group and namespace is gone, its command included (Codex runs
      // commands in sessions of their own, out of the group: the pid namespace takes them too).
      await waitFor(() => processesIn(workdir).length === 0 && !groupAlive(pgid), 5000);
      expect(processesIn(workdir)).toEqual([]);
      expect(groupAlive(pgid)).toBe(false);
    });
  }

  it('a session with features.delegate is offered the tool; its call runs the CLI in the host root, and its usage rides on the outcome', async () => {
    fake.reset();
    const root = workspace();
    fake.enqueue(...claudeCodeWriteEditScripts({ path: join(root, 'notes.txt') }));
    const features = { host: { root }, delegate: { clis: [{ cli: 'claude-code', model: MODEL['claude-code'], credentialsEnv: [KEY_ENV['claude-code']] }] } };
    const h = await harness({ features, runtime: { delegate: { providerBaseUrl: () => fake.url, credentialSource: { [KEY_ENV['claude-code']]: SECRET }, checkpointDir } } });
    const offered = h.descriptors.find((d) => d.name === 'delegate');
    expect(offered?.parallelism).toBe('exclusive');
    const { outcome, text, isError } = await h.call('delegate', { task: 'Write notes.txt saying hello, then edit it.' });
    expect(isError).toBe(false);
    expect(readFileSync(join(root, 'notes.txt'), 'utf8')).toBe('hello, edited\n');
    expect(JSON.parse(text)).toMatchObject({ status: 'completed', changes: [{ path: 'notes.txt', change: 'added' }] });
    expect(outcome.effects?.[0]?.kind).toBe('delegate.usage');
    await expect(harness({ features })).rejects.toMatchObject({ code: 'invalid', details: { field: 'features.delegate' } });
    await expect(harness({ features: { delegate: features.delegate }, runtime: { delegate: { providerBaseUrl: () => fake.url } } })).rejects.toThrow(/needs features.host/);
  });

  it('a delegation interrupted by a crash is re-run from the pre-delegation snapshot', async () => {
    fake.reset();
    const workdir = workspace();
    writeFileSync(join(workdir, 'keep.txt'), 'original\n');
    // The first attempt snapshotted the directory, then died mid-way leaving a half-done edit.
    const blobs = new MemoryBlobStore();
    const key = 's1/r1/b1/call-crashed';
    await takePreDelegationSnapshot({ blobs, workdir, checkpointDir, key });
    writeFileSync(join(workdir, 'keep.txt'), 'half-done\n');
    writeFileSync(join(workdir, 'stray.txt'), 'left by the killed CLI\n');
    // Same blob store: the snapshot lives in the session's CAS.
    const again = await takePreDelegationSnapshot({ blobs, workdir, checkpointDir, key });
    expect(again.restored).toBe(true);
    expect(readFileSync(join(workdir, 'keep.txt'), 'utf8')).toBe('original\n');
    expect(existsSync(join(workdir, 'stray.txt'))).toBe(false);
    await again.release();
    const fresh = await takePreDelegationSnapshot({ blobs, workdir, checkpointDir, key });
    expect(fresh.restored).toBe(false);
    await fresh.release();
  });
});

it('state dirs stay out of the temp dir (Codex refuses its sandbox helpers there)', () => {
  expect(join(homedir(), '.cache')).not.toContain(tmpdir());
});

// bubblewrap where installed; `unshare` + `ip` as root otherwise (both where both work).
const confinements = workingConfinements();
if (process.env.CI === 'true' && confinements.length === 0) throw new Error('CI must have bubblewrap (scripts/setup.d/bubblewrap.sh) or unshare to confine the delegated CLIs');

describe.skipIf(confinements.length === 0).each(confinements)('network "provider" under %s', (confinement) => {
  it('reaches the provider through the bridge and nothing else, not even the host loopback', async () => {
    const fake = await startFakeProvider({ port: 0 });
    const bridge = await openProviderBridge(fake.url, confinement);
    try {
      const probe = (url: string): string =>
        `fetch(${JSON.stringify(url)}).then((r) => console.log('ok', r.status), (e) => console.log('fail', e.cause?.code ?? e.message))`;
      const run = async (url: string): Promise<string> => {
        const { command, args } = bridge.wrap(process.execPath, ['-e', probe(url)]);
        const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'] });
        let out = '';
        child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
        await new Promise((resolve) => child.on('close', resolve));
        return out.trim();
      };
      expect(await run(`${bridge.baseUrl}/v1/models`)).toBe('ok 200');
      // The fake's real port on the host's loopback does not exist in the namespace.
      expect(await run(`${fake.url}/v1/models`)).toMatch(/^fail ECONNREFUSED/);
      expect(await run('http://1.1.1.1/')).toMatch(/^fail (ENETUNREACH|ECONNREFUSED)/);
      expect(fake.requests).toHaveLength(1);
    } finally {
      await bridge.close();
      await fake.stop();
    }
  });
});
