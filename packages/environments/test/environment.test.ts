// Environments on real SQL storage (PGlite and a real PostgreSQL server), real commands, and
// bubblewrap where this machine has it (scripts/setup.d/bubblewrap.sh installs it in CI).
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { getText } from '@lightspeed/cas';
import { killProcess, processesWith } from '@lightspeed/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeBubblewrap, type Environments } from '../src/index.js';
import { sharedPostgres, startEnvironmentStack, stopStorageBackends, storageBackends, UNIVERSE, type EnvironmentStack } from './support/environment-stack.js';

afterAll(stopStorageBackends);

const backends = storageBackends;

const SECRET = 'sk-test-5f1c0e2b9d7a4c3e';
const bwrap = probeBubblewrap();
// CI installs bubblewrap (scripts/setup.d/bubblewrap.sh): there, the isolated half may not be skipped.
if (process.env.CI === 'true' && !bwrap.available) throw new Error(`CI must have a working bubblewrap (scripts/setup.d/bubblewrap.sh): ${bwrap.reason ?? 'not available'}`);

describe.each(backends)('environments on %s', (_name, backend) => {
  let stack: EnvironmentStack;
  let environments: Environments;
  beforeAll(async () => {
    stack = await startEnvironmentStack(await backend());
    environments = stack.environments({ env: { PATH: process.env.PATH, API_TOKEN: SECRET, VISIBLE: 'yes', HIDDEN: 'no' } });
  }, 60_000);
  afterAll(async () => stack?.close());

  it('materialises the workspace, runs a command and collects its changes as a new snapshot with a diff', async () => {
    await stack.workspace('ws-collect', { 'readme.md': 'one\ntwo\n', 'src/gone.txt': 'bye\n' });
    const env = await environments.create({ id: 'collect', workspaceId: 'ws-collect', envAllow: ['VISIBLE'] });
    expect(existsSync(join(env.workDir, 'readme.md'))).toBe(true);
    const result = await env.run({ argv: ['sh', '-c', 'echo "$VISIBLE:${HIDDEN:-unset}"; sed -i s/two/three/ readme.md; rm src/gone.txt; mkdir -p new; echo hi > new/file.txt; chmod +x new/file.txt'] });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe('yes:unset\n');
    expect(await getText(stack.storage.blobs(UNIVERSE), result.stdoutRef)).toBe('yes:unset\n');
    const collected = result.collected!;
    expect(collected.changes.map((change) => [change.path, change.kind])).toEqual([
      ['/new/file.txt', 'added'],
      ['/readme.md', 'modified'],
      ['/src/gone.txt', 'deleted'],
    ]);
    expect(collected.workspaceRevision).toBe(result.preRevision + 1);
    const head = await stack.workspaces.head('ws-collect');
    expect(head.headRef).toBe(collected.postRef);
    expect(head.headRef).not.toBe(result.preRef);
    expect(await stack.readFile('ws-collect', '/readme.md')).toBe('one\nthree\n');
    expect(await stack.readFile('ws-collect', '/src/gone.txt')).toBeUndefined();
    const patch = await getText(stack.storage.blobs(UNIVERSE), collected.patchRef);
    expect(patch).toContain('diff --git a/readme.md b/readme.md');
    expect(patch).toContain('-two\n+three\n');
    expect(patch).toContain('new file mode 100755');
    expect(patch).toContain('deleted file mode 100644');

    // A command that changes nothing leaves the workspace where it was.
    const again = await env.run({ argv: ['true'] });
    expect(again.collected!.changes).toEqual([]);
    expect((await stack.workspaces.head('ws-collect')).revision).toBe(head.revision);
  });

  it('never stores a credential value: stdout, stderr and the patch say [redacted:NAME]', async () => {
    await stack.workspace('ws-secret', { 'a.txt': 'a\n' });
    const env = await environments.create({ id: 'secret', workspaceId: 'ws-secret', credentials: ['API_TOKEN'] });
    const result = await env.run({ argv: ['sh', '-c', 'echo "token=$API_TOKEN"; echo "err $API_TOKEN" >&2; echo "$API_TOKEN" > leaked.txt'] });
    expect(result.stdout).toBe('token=[redacted:API_TOKEN]\n');
    expect(result.stderr).toBe('err [redacted:API_TOKEN]\n');
    const blobs = stack.storage.blobs(UNIVERSE);
    for (const ref of [result.stdoutRef, result.stderrRef, result.collected!.patchRef]) expect(await getText(blobs, ref)).not.toContain(SECRET);
    expect(await getText(blobs, result.collected!.patchRef)).toContain('+[redacted:API_TOKEN]');
    await expect(env.run({ argv: ['true'], env: { API_TOKEN: 'x' } })).rejects.toMatchObject({ code: 'invalid', details: { field: 'env.API_TOKEN' } });
    const missing = await environments.create({ id: 'missing-cred', workspaceId: 'ws-secret', credentials: ['NOT_SET_ANYWHERE'] });
    await expect(missing.run({ argv: ['true'] })).rejects.toMatchObject({ code: 'invalid', details: { envVar: 'NOT_SET_ANYWHERE' } });
  });

  it('kills the whole process group on timeout and on cancel (child and grandchild gone)', async () => {
    await stack.workspace('ws-timeout', {});
    const env = await environments.create({ id: 'timeout', workspaceId: 'ws-timeout' });
    const marker = `${Date.now() % 100000}.${Math.floor(Math.random() * 1000)}`;
    const started = Date.now();
    const result = await env.run({ argv: ['sh', '-c', `sleep 3${marker} & sh -c "sleep 4${marker}" & wait`], timeoutMs: 500 });
    expect(result.timedOut).toBe(true);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(await processesWith(marker)).toEqual([]);

    const controller = new AbortController();
    const running = env.run({ argv: ['sh', '-c', `sleep 5${marker} & wait`], signal: controller.signal });
    for (let i = 0; i < 100 && (await processesWith(`5${marker}`)).length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    controller.abort();
    expect((await running).cancelled).toBe(true);
    expect(await processesWith(marker)).toEqual([]);
    expect(env.status().state).toBe('ready');
  });

  describe('isolation', () => {
    let server: Server;
    let port: number;
    beforeAll(async () => {
      server = createServer((socket) => socket.end('hello\n'));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      port = (server.address() as { port: number }).port;
    });
    afterAll(async () => new Promise<void>((resolve) => server.close(() => resolve())));

    const connect = () => ['node', '-e', `require('net').connect(${port}, '127.0.0.1').on('data', (d) => { process.stdout.write(d); process.exit(0); }).on('error', (e) => { console.error(e.code); process.exit(3); })`];

    it.runIf(bwrap.available)('with bubblewrap: writing outside the directory and opening a connection fail', async () => {
      await stack.workspace('ws-iso', {});
      const env = await environments.create({ id: 'iso', workspaceId: 'ws-iso' });
      expect(env.status()).toMatchObject({ isolation: 'bubblewrap', isolated: true });
      expect(env.status().notice).toBeUndefined();
      const outside = join(stack.root, 'outside.txt');
      const write = await env.run({ argv: ['sh', '-c', `echo x > ${outside} && echo x > /etc/lightspeed-escape`] });
      expect(write.exitCode).not.toBe(0);
      expect(existsSync(outside)).toBe(false);
      expect(existsSync('/etc/lightspeed-escape')).toBe(false);
      const net = await env.run({ argv: connect() });
      expect(net.exitCode).toBe(3);
      expect(net.isolation).toBe('bubblewrap');
      // Inside, the directory itself is writable.
      expect((await env.run({ argv: ['sh', '-c', 'echo ok > inside.txt'] })).exitCode).toBe(0);
      expect(await stack.readFile('ws-iso', '/inside.txt')).toBe('ok\n');

      const online = await environments.create({ id: 'iso-net', workspaceId: 'ws-iso', network: true });
      const reached = await online.run({ argv: connect(), collect: false });
      expect(reached).toMatchObject({ exitCode: 0, stdout: 'hello\n', isolation: 'bubblewrap' });
    });

    it('without bubblewrap: the status and every result say "not isolated"', async () => {
      await stack.workspace('ws-open', {});
      const env = await environments.create({ id: 'open', workspaceId: 'ws-open', isolation: 'none' });
      expect(env.status()).toMatchObject({ isolation: 'none', isolated: false });
      expect(env.status().notice).toMatch(/^not isolated: /);
      const outside = join(stack.root, 'outside-open.txt');
      const write = await env.run({ argv: ['sh', '-c', `echo x > ${outside}`] });
      expect(write.exitCode).toBe(0);
      expect(write.notice).toMatch(/^not isolated: /);
      expect(existsSync(outside)).toBe(true);
      const net = await env.run({ argv: connect() });
      expect(net).toMatchObject({ exitCode: 0, stdout: 'hello\n', isolation: 'none' });
      expect(net.notice).toMatch(/^not isolated: /);
    });
  });

  it('answers a finished command id from its record instead of running it again', async () => {
    await stack.workspace('ws-idem', {});
    const env = await environments.create({ id: 'idem', workspaceId: 'ws-idem' });
    const first = await env.run({ argv: ['sh', '-c', 'echo x >> count.txt'], commandId: 'c-1' });
    const second = await env.run({ argv: ['sh', '-c', 'echo x >> count.txt'], commandId: 'c-1' });
    expect(second).toEqual(first);
    expect(await stack.readFile('ws-idem', '/count.txt')).toBe('x\n');
  });

  it('does not overwrite a workspace that moved while the command ran', async () => {
    await stack.workspace('ws-race', { 'a.txt': 'a\n' });
    // Not isolated: the command waits for a flag file the test writes outside its directory.
    const env = await environments.create({ id: 'race', workspaceId: 'ws-race', isolation: 'none' });
    const flag = join(stack.root, 'race-go');
    const running = env.run({ argv: ['sh', '-c', `echo b > b.txt; while [ ! -e ${flag} ]; do sleep 0.02; done`] });
    await new Promise((resolve) => setTimeout(resolve, 200));
    await stack.workspaces.commit('ws-race', [{ op: 'write', path: '/c.txt', content: new TextEncoder().encode('c\n') }]);
    await writeFile(flag, '');
    const result = await running;
    expect(result.collected!.conflict).toMatch(/moved from revision 1 to 2/);
    expect(result.collected!.workspaceRevision).toBeUndefined();
    expect(await stack.readFile('ws-race', '/b.txt')).toBeUndefined();
    expect(await stack.readFile('ws-race', '/c.txt')).toBe('c\n');
  });
});

describe('a crash mid-command (PostgreSQL)', () => {
  let stack: EnvironmentStack;
  let url: string;
  beforeAll(async () => {
    url = (await sharedPostgres()).url;
    stack = await startEnvironmentStack({ kind: 'postgres', url });
  }, 60_000);
  afterAll(async () => stack?.close());

  it('recover kills the orphaned process group and puts the directory back at the pre-command snapshot; the re-run starts there', async () => {
    await stack.workspace('ws-crash', { 'keep.txt': 'keep\n' });
    const environments = stack.environments();
    // Not isolated: under bubblewrap --die-with-parent takes the command down with its parent, so
    // the ledger's kill is what is tested here.
    await environments.create({ id: 'crash', workspaceId: 'ws-crash', isolation: 'none' });
    const before = await stack.workspaces.head('ws-crash');
    const marker = `${Date.now() % 100000}.${Math.floor(Math.random() * 1000)}`;
    const child = spawn(process.execPath, ['--conditions=lightspeed-src', '--import', 'tsx', join(import.meta.dirname, 'scripts', 'run-and-hang.ts'), url, join(stack.root, 'environments'), 'crash', marker], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    for (let i = 0; i < 500 && (await processesWith(`4${marker}`)).length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    await killProcess(child);
    // The server is gone; its command (shells and both sleeps) is not: detached, not isolated.
    expect((await processesWith(marker)).length).toBeGreaterThanOrEqual(3);

    const restarted = stack.environments();
    expect((await restarted.require('crash')).status()).toMatchObject({ state: 'running', running: { commandId: 'hang', preRef: before.headRef } });
    const summary = await restarted.recover();
    expect(summary.killed).toHaveLength(1);
    expect(summary.restored).toEqual([{ environmentId: 'crash', commandId: 'hang', preRef: before.headRef }]);
    expect(await processesWith(marker)).toEqual([]);
    const recovered = await restarted.require('crash');
    expect(recovered.status().state).toBe('ready');
    expect(existsSync(join(recovered.workDir, 'partial.txt'))).toBe(false);
    expect(existsSync(join(recovered.workDir, 'keep.txt'))).toBe(true);
    expect((await stack.workspaces.head('ws-crash')).revision).toBe(before.revision);
    // The re-run (same command id) runs from the pre-command snapshot, once.
    const rerun = await recovered.run({ argv: ['sh', '-c', 'ls; echo done > partial.txt'], commandId: 'hang' });
    expect(rerun.preRef).toBe(before.headRef);
    expect(rerun.stdout).toBe('keep.txt\n');
    expect(await stack.readFile('ws-crash', '/partial.txt')).toBe('done\n');
  });
});
