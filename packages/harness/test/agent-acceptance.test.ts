// Issue 21's acceptance, from the sources with the fake provider: one agent file — an MCP server
// (the official reference server over stdio, defined in the server config file), a mounted
// workspace and a cost budget — runs through `lightspeed chat --agent`, through the JSON-RPC API of
// `lightspeed serve`, and through the embedding library; usage and a known cost come back each way,
// and a budget too small for one answer stops the run with the limit named.
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness } from '../src/index.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const cliEntry = join(repoRoot, 'packages/cli/test/support/cli-entry.ts');
const everythingBin = join(dirname(createRequire(import.meta.url).resolve('@modelcontextprotocol/server-everything/package.json')), 'dist', 'index.js');

const NOTES = 'The launch is on Friday.\n';
const MESSAGE = 'use read_file {"file_path":"/workspace/notes.md"} use mcp__everything__echo {"message":"launch check"}';

const AGENT = `---
description: Answers from the mounted notes and the echo server, within a budget
model: { providerId: fake, apiKind: openai:responses, model: fake-echo }
tools:
  files:
    access: readOnly
    mounts:
      - path: /workspace
        workspace: notes
  mcp:
    - server: everything
      allowedTools: [echo]
limits:
  costBudgetUsd: 0.5
---
Answer from /workspace and the echo tool.
`;

const serverConfig = () => `mcpServers:
  everything:
    transport: stdio
    stdio:
      command: ${JSON.stringify(process.execPath)}
      args: [${JSON.stringify(everythingBin)}, stdio]
prices:
  fake/fake-echo: { inputPerMTok: 3, outputPerMTok: 15 }
`;

interface Proc {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(args: string[], env: NodeJS.ProcessEnv): Promise<Proc> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--conditions=lightspeed-src', '--import', 'tsx', cliEntry, ...args], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

async function rpc(url: string, method: string, params: unknown): Promise<any> {
  const response = await fetch(`${url}/rpc`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) });
  const json: any = await response.json();
  if (json.error) throw new Error(`${method}: ${json.error.message}`);
  return json.result.result;
}

describe('an agent with an MCP server, a mounted workspace and a cost budget', () => {
  let dir: string;
  let project: string;
  let workspace: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ls-acceptance-'));
    project = join(dir, 'project');
    workspace = join(dir, 'notes');
    await mkdir(join(project, '.lightspeed', 'agents'), { recursive: true });
    await mkdir(workspace);
    await writeFile(join(project, '.lightspeed', 'agents', 'ops.md'), AGENT);
    await writeFile(join(project, '.lightspeed', 'server.yaml'), serverConfig());
    await writeFile(join(workspace, 'notes.md'), NOTES);
    env = { PATH: process.env.PATH, HOME: dir, LIGHTSPEED_HOME: join(dir, 'home') };
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('through `lightspeed chat --agent`: both tools answer, and the line after the answer shows usage and cost', async () => {
    const run = await cli(['chat', '--provider', 'fake', '--data-dir', ':memory:', '--project', project, '--agent', 'ops', '--mount', workspace, MESSAGE], env);
    expect(run.stderr).not.toContain('lightspeed:');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('< tool read_file: ok');
    expect(run.stdout).toContain('< tool mcp__everything__echo: ok');
    expect(run.stdout).toContain('Echo: launch check');
    expect(run.stdout).toContain('The launch is on Friday.');
    // usage: N in (… cached, … cache-write) · N out (… reasoning) · 2 calls · $0.00…
    expect(run.stderr).toMatch(/^usage: [\d,]+ in \(0 cached, 0 cache-write\) · [\d,]+ out \(0 reasoning\) · 2 calls · \$0\.\d+$/m);
  }, 90_000);

  it('through `lightspeed chat --agent --budget-usd` too small for one answer: the run stops, naming the limit', async () => {
    const run = await cli(['chat', '--provider', 'fake', '--data-dir', ':memory:', '--project', project, '--agent', 'ops', '--mount', workspace, '--budget-usd', '0.0000001', MESSAGE], env);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/run run_1 failed: .*cost_budget|run run_1 failed: .*cost budget/i);
    expect(run.stderr).toContain('hint: --budget-usd');
  }, 90_000);

  it('through the API of `lightspeed serve`: the agent file is a profile, the session starts from it and reports its cost', async () => {
    const child = spawn(process.execPath, ['--conditions=lightspeed-src', '--import', 'tsx', cliEntry, 'serve', '--port', '0', '--provider', 'fake', '--data-dir', ':memory:', '--project', project], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`serve did not start: ${stderr}`)), 60_000);
        child.stdout.on('data', () => {
          const match = /serving on (http:\/\/\S+)/.exec(stdout);
          if (match) {
            clearTimeout(timer);
            resolve(match[1]!);
          }
        });
        child.on('exit', () => reject(new Error(`serve exited: ${stderr}`)));
      });
      expect(stderr).toContain('agents from');
      // The workspace the agent file mounts (`workspace: notes`), made through the API.
      const [blob] = (await rpc(url, 'blobs/put', { blobs: [{ bytesBase64: Buffer.from(NOTES).toString('base64') }] })).blobs;
      const manifest = { schema_version: 'lightspeed.vfs.snapshot.v1', root: { entries: { 'notes.md': { kind: 'file', blob_ref: blob.blobRef, size_bytes: blob.bytes } } } };
      const { snapshotRef } = await rpc(url, 'vfs/snapshots/commit', { manifest });
      await rpc(url, 'vfs/workspaces/create', { workspaceId: 'notes', snapshotRef });
      const { session } = await rpc(url, 'session/start', { profile: { kind: 'named', profileId: 'ops' } });
      expect(session.profile).toMatchObject({ profileId: 'ops', revision: 1 });
      expect(session.config.limits).toEqual({ costBudgetUsd: 0.5 });
      const { run } = await rpc(url, 'session/runs/start', { sessionId: session.id, source: { type: 'input', items: [{ type: 'text', text: MESSAGE }] } });
      let done: any;
      for (let i = 0; i < 600 && !done; i++) {
        const read = await rpc(url, 'session/read', { sessionId: session.id });
        done = read.session.runs.find((r: any) => r.id === run.id && r.status !== 'running' && r.status !== 'queued');
        if (!done) await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(done.status).toBe('completed');
      expect(done.usage.costUsd).toBeGreaterThan(0);
      expect(done.usage.calls).toBe(2);
      const outputs = done.toolBatches.flatMap((batch: any) => batch.calls.map((call: any) => String(call.output)));
      expect(outputs.join('\n')).toContain('Echo: launch check');
      expect(outputs.join('\n')).toContain('The launch is on Friday.');
    } finally {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    }
  }, 120_000);

  it('through the embedding library: createHarness with the same config file and agent', async () => {
    const harness = await createHarness({ provider: 'fake', config: join(project, '.lightspeed', 'server.yaml'), agentsDir: join(project, '.lightspeed', 'agents'), env });
    try {
      const session = await harness.startSession({ agent: 'ops', mount: workspace });
      const result = await session.send(MESSAGE);
      expect(result.status).toBe('completed');
      expect(result.tools.map((tool) => [tool.name, tool.status])).toEqual([
        ['read_file', 'succeeded'],
        ['mcp__everything__echo', 'succeeded'],
      ]);
      expect(result.usage?.costUsd).toBeGreaterThan(0);
    } finally {
      await harness.close();
    }
  }, 90_000);
});
