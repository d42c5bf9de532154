import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { execCommand } from '../src/index.js';
import { harness } from './harness.js';

let base: string;
let root: string;
let outside: string;

beforeEach(async () => {
  base = await mkdtemp(join(tmpdir(), 'host-env-'));
  root = join(base, 'root');
  outside = join(base, 'outside');
  await mkdir(join(root, 'src'), { recursive: true });
  await mkdir(outside);
  await writeFile(join(root, 'src', 'main.ts'), 'const x = 1;\n');
  await writeFile(join(outside, 'secret.txt'), 'TOP SECRET\n');
});
afterEach(async () => {
  await rm(base, { recursive: true, force: true });
});

const hostSession = (apiKind = 'anthropic:messages', host: Record<string, unknown> = {}) =>
  harness({ apiKind, features: {}, context: { host: { root, ...host } } });

/** Running (a zombie waiting to be reaped by a non-reaping PID 1 does not count). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

describe('host file tools', () => {
  it('read, write and edit real files under the root', async () => {
    const h = await hostSession();
    expect(h.descriptors.map((d) => d.name)).toEqual(['Read', 'Grep', 'Glob', 'LS', 'Write', 'Edit', 'Bash']);
    expect((await h.call('Read', { file_path: '/src/main.ts' })).text).toBe('     1\tconst x = 1;');
    expect((await h.call('Write', { file_path: '/out/new.txt', content: 'new' })).isError).toBe(false);
    expect(await readFile(join(root, 'out', 'new.txt'), 'utf8')).toBe('new');
    expect((await h.call('Edit', { file_path: 'src/main.ts', old_string: '1', new_string: '2' })).isError).toBe(false);
    expect(await readFile(join(root, 'src', 'main.ts'), 'utf8')).toBe('const x = 2;\n');
    expect((await h.call('Grep', { pattern: 'const', output_mode: 'content' })).text).toBe('/src/main.ts:1:const x = 2;');
  });

  it('path traversal with .. is refused', async () => {
    const h = await hostSession();
    for (const file_path of ['/../outside/secret.txt', '../outside/secret.txt', 'src/../../outside/secret.txt']) {
      const result = await h.call('Read', { file_path });
      expect(result.isError).toBe(true);
      expect(result.text).toMatch(/climbs above its root/);
    }
  });

  it('symlinks that escape the root are refused for reads, writes and listings', async () => {
    await symlink(join(outside, 'secret.txt'), join(root, 'leak.txt'));
    await symlink(outside, join(root, 'linkdir'));
    const h = await hostSession();
    const read = await h.call('Read', { file_path: '/leak.txt' });
    expect(read.isError).toBe(true);
    expect(read.text).toMatch(/resolves outside the host root/);
    expect((await h.call('Read', { file_path: '/linkdir/secret.txt' })).text).toMatch(/resolves outside/);
    expect((await h.call('Write', { file_path: '/linkdir/planted.txt', content: 'x' })).text).toMatch(/resolves outside/);
    expect((await h.call('Write', { file_path: '/leak.txt', content: 'overwrite' })).text).toMatch(/resolves outside/);
    expect(await readFile(join(outside, 'secret.txt'), 'utf8')).toBe('TOP SECRET\n');
    const grep = await h.call('Grep', { pattern: 'SECRET' });
    expect(grep.text).toBe('No matches found.');
    expect((await h.call('LS', { path: '/' })).text).toBe('/\n  out/\n  src/'.replace('  out/\n', ''));
  });

  it('grep and glob skip what .gitignore excludes; edits keep file permissions', async () => {
    await writeFile(join(root, '.gitignore'), 'node_modules/\n');
    await mkdir(join(root, 'node_modules', 'dep'), { recursive: true });
    await writeFile(join(root, 'node_modules', 'dep', 'index.js'), 'const x = 1;\n');
    await writeFile(join(root, 'run.sh'), '#!/bin/sh\necho one\n', { mode: 0o755 });
    const h = await hostSession();
    expect((await h.call('Grep', { pattern: 'const x' })).text).toBe('/src/main.ts');
    expect((await h.call('Glob', { pattern: '**/*.js' })).text).toMatch(/No files match/);
    expect((await h.call('Edit', { file_path: '/run.sh', old_string: 'one', new_string: 'two' })).isError).toBe(false);
    expect((await stat(join(root, 'run.sh'))).mode & 0o777).toBe(0o755);
  });

  it('deleting a symlink through apply_patch removes the link, not its target', async () => {
    await symlink(join(root, 'src', 'main.ts'), join(root, 'alias.ts'));
    const h = await hostSession('openai:responses');
    const result = await h.call('apply_patch', { input: '*** Begin Patch\n*** Delete File: alias.ts\n*** End Patch' });
    expect(result.isError).toBe(false);
    await expect(stat(join(root, 'alias.ts'))).rejects.toThrow();
    expect(await readFile(join(root, 'src', 'main.ts'), 'utf8')).toBe('const x = 1;\n');
  });

  it('a symlink inside the root to a file inside the root is followed', async () => {
    await symlink(join(root, 'src', 'main.ts'), join(root, 'alias.ts'));
    const h = await hostSession();
    expect((await h.call('Read', { file_path: '/alias.ts' })).text).toContain('const x = 1;');
  });
});

describe('exec', () => {
  it('runs in the root and reports output and exit code', async () => {
    const h = await hostSession('openai:responses');
    expect(h.descriptors.map((d) => d.name)).toContain('shell_command');
    const ok = await h.call('shell_command', { command: 'pwd && ls src && echo err >&2' });
    expect(ok.isError).toBe(false);
    expect(ok.text).toMatch(/^exit code 0\n/);
    expect(ok.text).toContain(root);
    expect(ok.text).toContain('main.ts');
    expect(ok.text).toContain('err');
    const failed = await h.call('shell_command', { command: 'exit 3' });
    expect(failed.isError).toBe(true);
    expect(failed.text).toMatch(/^exit code 3/);
  });

  it('refuses a workdir outside the root', async () => {
    const h = await hostSession('openai:responses');
    expect((await h.call('shell_command', { command: 'ls', workdir: '/../outside' })).text).toMatch(/climbs above/);
    await symlink(outside, join(root, 'out-link'));
    expect((await h.call('shell_command', { command: 'ls', workdir: '/out-link' })).text).toMatch(/resolves outside/);
  });

  it('does not leak the server environment into commands', async () => {
    process.env.LIGHTSPEED_TEST_SECRET = 'sk-should-not-leak';
    try {
      const h = await hostSession('anthropic:messages', { env: { GREETING: 'hi' } });
      const result = await h.call('Bash', { command: 'env' });
      expect(result.text).toContain('GREETING=hi');
      expect(result.text).not.toContain('sk-should-not-leak');
    } finally {
      delete process.env.LIGHTSPEED_TEST_SECRET;
    }
  });

  it('huge output is truncated in the middle with a notice', async () => {
    const h = await hostSession('anthropic:messages', { maxOutputBytes: 1000 });
    const result = await h.call('Bash', { command: 'seq 1 100000' });
    expect(result.isError).toBe(false);
    expect(result.text).toMatch(/\[output truncated: \d+ bytes omitted from the middle\]/);
    expect(result.text).toContain('\n1\n2\n3\n');
    expect(result.text.trimEnd().endsWith('100000')).toBe(true);
    expect(result.text.length).toBeLessThan(1200);
  });

  it('a timeout kills the whole process group, background children included', async () => {
    const pidFile = join(root, 'child.pid');
    const h = await hostSession('anthropic:messages');
    const started = Date.now();
    const result = await h.call('Bash', { command: `sleep 30 & echo $! > ${pidFile}; sleep 30`, timeout: 500 });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(result.isError).toBe(true);
    expect(result.text).toMatch(/timed out after 500 ms; the process group was killed/);
    const child = Number((await readFile(pidFile, 'utf8')).trim());
    await new Promise((r) => setTimeout(r, 100));
    expect(alive(child)).toBe(false);
  });

  it('cancelling through the AbortSignal kills the process group', async () => {
    const controller = new AbortController();
    const pidFile = join(root, 'cancel.pid');
    setTimeout(() => controller.abort(), 300);
    const result = await execCommand({ command: `sleep 30 & echo $! > ${pidFile}; wait`, cwd: root, timeoutMs: 20_000, maxOutputBytes: 1000, env: { PATH: process.env.PATH! }, signal: controller.signal });
    expect(result.cancelled).toBe(true);
    const child = Number((await readFile(pidFile, 'utf8')).trim());
    await new Promise((r) => setTimeout(r, 100));
    expect(alive(child)).toBe(false);
  });

  it('a cancelled call through the runtime is reported as cancelled', async () => {
    const h = await hostSession('anthropic:messages');
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    const result = await h.call('Bash', { command: 'sleep 20' }, { signal: controller.signal });
    expect(result.outcome.status).toBe('cancelled');
    expect(result.text).toMatch(/cancelled; the process group was killed/);
  });
});
