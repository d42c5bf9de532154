import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cleanEnv, REPO_ROOT, tempDir } from './support/cli-harness.js';

const bin = join(REPO_ROOT, 'node_modules', '.bin', 'lightspeed');

function runBin(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(bin, args, { env, cwd: REPO_ROOT, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

/* The bin as `npm install` links it (node_modules/.bin/lightspeed → bin/lightspeed.js → dist/). */
describe('the installed lightspeed bin', () => {
  it('is linked and built (npm install runs `tsc -b` through the root prepare script)', () => {
    expect(existsSync(bin), 'node_modules/.bin/lightspeed: run npm install').toBe(true);
    expect(existsSync(join(REPO_ROOT, 'packages', 'cli', 'dist', 'main.js')), 'packages/cli/dist: run npm run build').toBe(true);
  });

  it('runs a one-shot chat with the fake provider and exits 0', async () => {
    const home = await tempDir('ls-cli-bin-');
    try {
      const run = await runBin(['chat', '--provider', 'fake', '--data-dir', ':memory:', 'hello from the bin'], cleanEnv(home.path));
      expect(run.stderr).not.toContain('lightspeed:');
      expect(run.code).toBe(0);
      expect(run.stdout).toContain('[fake model: scripted echo, not a real LLM] You said: hello from the bin');
    } finally {
      await home.remove();
    }
  }, 60_000);

  it('exits quietly when its reader goes away (lightspeed … | head -1)', async () => {
    const home = await tempDir('ls-cli-pipe-');
    try {
      const child = spawn(bin, ['chat', '--provider', 'fake', '--data-dir', ':memory:', '--json', 'a reply streamed in many pieces, long after the reader left'], { env: cleanEnv(home.path), stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.stdout.once('data', () => child.stdout.destroy());
      const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
      expect(stderr).not.toContain('EPIPE');
      expect(stderr).not.toContain('lightspeed:');
      expect(code).toBe(0);
    } finally {
      await home.remove();
    }
  }, 30_000);
});
