// `lightspeed --engine restate`: the real CLI, in its own process, serving the same API and chat as
// embedded mode with sessions on a real restate-server and the log in PGlite under its data dir.
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, runScript, startRestate, type RestateServer } from '@lightspeed/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const entry = fileURLToPath(new URL('./support/cli-entry.ts', import.meta.url));

let restate: RestateServer;
let home: string;

beforeAll(async () => {
  restate = await startRestate();
  home = await mkdtemp(join(tmpdir(), 'ls-restate-cli-'));
}, 60_000);

afterAll(async () => {
  await restate?.stop();
  if (home) await rm(home, { recursive: true, force: true });
});

function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return runScript(entry, args, { PATH: process.env.PATH, HOME: home, LIGHTSPEED_HOME: join(home, '.lightspeed'), RESTATE_ADMIN_URL: restate.adminUrl, RESTATE_INGRESS_URL: restate.ingressUrl, RESTATE_LOGGING: 'ERROR', ...env });
}

describe('lightspeed --engine restate', () => {
  it('runs a one-shot chat with a tool call, then continues the same session', async () => {
    const project = join(home, 'project');
    await mkdir(project, { recursive: true });
    await writeFile(join(project, 'README.md'), '# demo\n');
    const dataDir = join(home, 'data');
    const port = String(await freePort());
    const first = await cli(['chat', '--engine', 'restate', '--provider', 'fake', '--data-dir', dataDir, '--new', '--mount', project, 'list files'], { LIGHTSPEED_RESTATE_ENDPOINT_PORT: port });
    expect(first.stderr).not.toContain('lightspeed:');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('> tool list_dir(');
    expect(first.stdout).toContain('< tool list_dir: ok');
    expect(first.stdout).toMatch(/README\.md \(7 bytes\)/);
    const sessionId = /session (ses_\S+)/.exec(first.stderr)![1]!;

    const second = await cli(['chat', '--engine', 'restate', '--provider', 'fake', '--data-dir', dataDir, '--session', sessionId, '--json', 'hello again'], { LIGHTSPEED_RESTATE_ENDPOINT_PORT: port });
    expect(second.code, second.stderr).toBe(0);
    const lines = second.stdout.trim().split('\n').map((line) => JSON.parse(line) as { type: string });
    expect(lines.some((line) => line.type === 'delta')).toBe(true);
    expect(lines.at(-1)).toMatchObject({ type: 'result' });
  }, 120_000);

  it('`serve --engine restate` serves the JSON-RPC API; the CLI cancels a running run through it', async () => {
    const serve = spawn(process.execPath, ['--conditions=lightspeed-src', '--import', 'tsx', entry, 'serve', '--engine', 'restate', '--provider', 'fake', '--port', '0', '--data-dir', join(home, 'serve-data')], {
      env: { PATH: process.env.PATH, HOME: home, LIGHTSPEED_HOME: join(home, '.lightspeed'), RESTATE_ADMIN_URL: restate.adminUrl, RESTATE_INGRESS_URL: restate.ingressUrl, LIGHTSPEED_RESTATE_ENDPOINT_PORT: String(await freePort()) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    serve.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => serve.on('exit', resolve));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        serve.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          const match = /serving on (http:\/\/\S+)/.exec(out);
          if (match) resolve(match[1]!);
        });
        void exited.then((code) => reject(new Error(`serve exited ${code}: ${err}`)));
      });
      const rpc = async (method: string, params: unknown) =>
        ((await (await fetch(`${url}/rpc`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) })).json()) as { result: { result: any } }).result.result;
      const sessionId = (await rpc('session/start', {})).session.id as string;
      const slow = '[[fake-script {"text":"slow reply","firstTokenDelayMs":20000}]]';
      const runId = (await rpc('session/runs/start', { sessionId, source: { type: 'input', items: [{ type: 'text', text: slow }] } })).run.id as string;
      const cancel = await cli(['runs', 'cancel', sessionId, runId, '--api-url', url]);
      expect(cancel.code, cancel.stderr).toBe(0);
      const deadline = Date.now() + 15_000;
      let status: string | undefined;
      while (Date.now() < deadline) {
        status = (await rpc('session/read', { sessionId })).session.runs.find((r: { id: string }) => r.id === runId)?.status;
        if (status === 'cancelled') break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(status).toBe('cancelled');
    } finally {
      serve.kill('SIGTERM');
      await exited;
    }
  }, 90_000);

  it('refuses in-memory storage with a hint instead of losing the log under durable objects', async () => {
    const run = await cli(['chat', '--engine', 'restate', '--provider', 'fake', '--data-dir', ':memory:', '--new', 'hi'], { LIGHTSPEED_RESTATE_ENDPOINT_PORT: '0' });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('the restate engine needs durable storage');
  }, 60_000);
});
