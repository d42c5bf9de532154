import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { cleanEnv, runCli, tempDir } from './support/cli-harness.js';

describe('chat with piped input', () => {
  it('runs each line in turn, waiting for every answer, then exits 0 at /quit', async () => {
    const home = await tempDir('ls-cli-pipe-chat-');
    try {
      const project = join(home.path, 'project');
      await mkdir(project);
      await writeFile(join(project, 'todo.md'), '- ship it\n');
      const stdin = new PassThrough();
      stdin.end('hello\nlist files\n/usage\n/sessions\n/quit\nnever sent\n');
      const run = await runCli(['chat', '--provider', 'fake', '--data-dir', ':memory:', '--mount', project], { env: cleanEnv(home.path), stdin });
      expect(run.stderr).not.toContain('lightspeed:');
      expect(run.code).toBe(0);
      const hello = run.stdout.indexOf('You said: hello');
      const trace = run.stdout.indexOf('< tool list_dir: ok');
      const listing = run.stdout.indexOf('todo.md (10 bytes)');
      expect(hello).toBeGreaterThan(0);
      expect(trace).toBeGreaterThan(hello);
      expect(listing).toBeGreaterThan(trace);
      expect(run.stdout).toMatch(/\* ses_\S+ {2}open/);
      // /usage: the last run (a tool round: two generations) and the session's three calls; the fake has no prices.
      expect(run.stdout).toMatch(/last run run_2: [\d,]+ in \(0 cached, 0 cache-write\) · [\d,]+ out \(0 reasoning\) · 2 calls · cost unknown/);
      expect(run.stdout).toMatch(/session ses_\S+: [\d,]+ in .* · 3 calls · cost unknown/);
      expect(run.stdout).not.toContain('never sent');
      expect(run.stdout).not.toContain('a run is in progress');
    } finally {
      await home.remove();
    }
  }, 60_000);
});
