// `lightspeed --engine restate`: the real CLI, in its own process, serving the same API and chat as
// embedded mode with sessions on a real restate-server and the log in PGlite under its data dir.
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, startRestate, type RestateServer } from '@lightspeed/testkit';
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
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--conditions=lightspeed-src', '--import', 'tsx', entry, ...args], {
      env: { PATH: process.env.PATH, HOME: home, LIGHTSPEED_HOME: join(home, '.lightspeed'), RESTATE_ADMIN_URL: restate.adminUrl, RESTATE_INGRESS_URL: restate.ingressUrl, RESTATE_LOGGING: 'ERROR', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
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

  it('refuses in-memory storage with a hint instead of losing the log under durable objects', async () => {
    const run = await cli(['chat', '--engine', 'restate', '--provider', 'fake', '--data-dir', ':memory:', '--new', 'hi'], { LIGHTSPEED_RESTATE_ENDPOINT_PORT: '0' });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('the restate engine needs durable storage');
  }, 60_000);
});
