// `lightspeed environments` against a live `lightspeed serve` (PGlite data dir): create, list,
// show, run (waits, prints the command's output and the files it changed, exits with its code),
// job, cancel (the process group is killed) and close, with real commands in local sandboxes.
import { mkdir, writeFile } from 'node:fs/promises';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { processesWith } from '@lightspeed/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, eventually, runCli, startServe, tempDir } from './support/cli-harness.js';

const SECRET = 'sk-cli-env-0b9e44d1';

describe('lightspeed environments against serve', () => {
  let home: { path: string; remove(): Promise<void> };
  let env: NodeJS.ProcessEnv;
  let server: Awaited<ReturnType<typeof startServe>>;
  // The server flag goes before `--`: what follows it is the command run in the environment.
  const cli = (args: string[], signal?: AbortSignal) => {
    const end = args.indexOf('--');
    const argv = end < 0 ? [...args, '--api-url', server.url] : [...args.slice(0, end), '--api-url', server.url, ...args.slice(end)];
    return runCli(argv, { env, ...(signal ? { signal } : {}) });
  };

  beforeAll(async () => {
    home = await tempDir('ls-cli-env-');
    env = cleanEnv(home.path, { TOKEN: SECRET });
    server = await startServe(['--provider', 'fake', '--data-dir', join(home.path, 'data'), '--no-dispatch'], env);
    const seed = join(home.path, 'seed');
    await mkdir(seed, { recursive: true });
    await writeFile(join(seed, 'readme.md'), 'one\n');
    const created = await cli(['vfs', 'workspace', 'create', '--id', 'ws', '--from-dir', seed]);
    expect(created.code, created.stderr).toBe(0);
  }, 90_000);
  afterAll(async () => {
    await server?.stop();
    await home?.remove();
  });

  it('creates, lists and shows an environment, runs a command that edits a file, and closes it', async () => {
    const created = await cli(['environments', 'create', 'e1', '--workspace', 'ws', '--credential', 'TOKEN', '--name', 'Edit']);
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(/^e1 ready: workspace ws, (isolated \(bubblewrap, no network\)|not isolated: .+)\n$/);
    expect((await cli(['environments', 'create', 'e1', '--workspace', 'ws', '--credential', 'TOKEN', '--name', 'Edit'])).code).toBe(0);
    const list = await cli(['environments', 'list']);
    expect(list.stdout.split('\n')[1]).toMatch(/^e1\tready\tws\t/);
    const show = await cli(['environments', 'show', 'e1']);
    expect(show.stdout).toContain('environment e1 (Edit)');
    expect(show.stdout).toMatch(/isolation {2}(isolated|not isolated)/);
    expect(show.stdout).toContain('credentials TOKEN');

    const run = await cli(['environments', 'run', 'e1', '--request-id', 'edit', '--', 'sh', '-c', 'echo "out $TOKEN"; echo err >&2; sed -i s/one/two/ readme.md; exit 3']);
    expect(run.code, run.stderr + run.stdout).toBe(3);
    expect(run.stdout).toBe('out [redacted:TOKEN]\n');
    expect(run.stderr).toContain('err\n');
    expect(run.stderr).toContain('job edit: failed (exit 3) — exit code 3');
    expect(run.stderr).toContain('1 file changed:\n    M /readme.md');
    const diffRef = /diff {7}(sha256:[0-9a-f]{64})/.exec(run.stderr)?.[1];
    expect(diffRef).toBeDefined();
    const diff = await cli(['blobs', 'read', diffRef!]);
    expect(diff.stdout).toContain('-one\n+two\n');
    const out = join(home.path, 'out');
    expect((await cli(['vfs', 'materialize', 'ws', out])).code).toBe(0);
    expect(await readFile(join(out, 'readme.md'), 'utf8')).toBe('two\n');

    // The same request id is answered from the recorded result, not run again.
    const again = await cli(['environments', 'run', 'e1', '--request-id', 'edit', '--', 'sh', '-c', 'echo "out $TOKEN"; echo err >&2; sed -i s/one/two/ readme.md; exit 3']);
    expect(again.code).toBe(3);
    expect(again.stderr).toContain('job edit: failed (exit 3)');
    const ok = await cli(['environments', 'run', 'e1', '--', 'cat', 'readme.md']);
    expect(ok).toMatchObject({ code: 0, stdout: 'two\n' });
    expect(ok.stderr).toContain('no files changed');
    const job = await cli(['environments', 'job', 'e1', 'edit']);
    expect(job.stdout).toBe('out [redacted:TOKEN]\n');
    expect(job.stderr).toContain('M /readme.md');

    expect((await cli(['environments', 'close', 'e1'])).stdout).toBe('e1 closed\n');
    expect((await cli(['environments', 'show', 'e1'])).stdout).toContain('state      closed');
    const closedRun = await cli(['environments', 'run', 'e1', '--', 'true']);
    expect(closedRun.code).not.toBe(0);
    expect(closedRun.stderr).toContain('closed');
  });

  it('cancel kills a running command; an interrupted run cancels its job; bad input is a usage error', async () => {
    await cli(['environments', 'create', 'e2', '--workspace', 'ws']);
    const marker = `${Date.now() % 100000}.${Math.floor(Math.random() * 1000)}`;
    const waiting = cli(['environments', 'run', 'e2', '--request-id', 'long', '--', 'sh', '-c', `sleep 4${marker}`]);
    await eventually(async () => ((await processesWith(`4${marker}`)).length > 0 ? true : undefined));
    const cancelled = await cli(['environments', 'cancel', 'e2', 'long', '--reason', 'not needed']);
    expect(cancelled).toMatchObject({ code: 0, stdout: 'job long: cancelled — not needed\n' });
    const ended = await waiting;
    expect(ended.code).toBe(130);
    expect(ended.stderr).toContain('job long: cancelled — not needed');
    expect(await processesWith(marker)).toEqual([]);
    expect((await cli(['environments', 'job', 'e2', 'long'])).stderr).toContain('cancelled');

    // Ctrl-C while `run` waits: the job is cancelled on the server, not left running.
    const controller = new AbortController();
    const interrupted = cli(['environments', 'run', 'e2', '--request-id', 'int', '--', 'sh', '-c', `sleep 5${marker}`], controller.signal);
    await eventually(async () => ((await processesWith(`5${marker}`)).length > 0 ? true : undefined));
    controller.abort();
    expect((await interrupted).code).toBe(130);
    expect(await processesWith(marker)).toEqual([]);
    expect((await cli(['environments', 'job', 'e2', 'int'])).stderr).toContain('interrupted at the CLI');

    const bad = await cli(['environments', 'create', 'e3', '--workspace', 'ws', '--isolation', 'maybe']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--isolation must be auto, bubblewrap or none');
    const missing = await cli(['environments', 'create', 'e3', '--workspace', 'nope']);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('nope');
    expect((await cli(['environments', 'job', 'e2', 'never'])).stderr).toContain('has no job never');
  });
});
