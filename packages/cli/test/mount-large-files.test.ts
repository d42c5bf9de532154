import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, runCli, tempDir } from './support/cli-harness.js';

const MB = 1_000_000;

/*
 * Files too large for a JSON-RPC body (base64 in the 8 MiB limit) reach the server as raw
 * `PUT /blobs` bodies: the real embedded stack over PGlite, the real gateway on a loopback socket.
 */
describe('chat --mount with large files', () => {
  let home: { path: string; remove(): Promise<void> };
  let env: NodeJS.ProcessEnv;
  let project: string;
  let dataDir: string;
  const big = { four: randomBytes(4 * MB), twenty: randomBytes(20 * MB) };

  beforeAll(async () => {
    home = await tempDir('ls-cli-mount-large-');
    env = cleanEnv(home.path);
    dataDir = join(home.path, 'data');
    project = join(home.path, 'project');
    await mkdir(join(project, 'data'), { recursive: true });
    await writeFile(join(project, 'README.md'), '# large\n');
    await writeFile(join(project, 'data', 'four.bin'), big.four);
    await writeFile(join(project, 'data', 'twenty.bin'), big.twenty);
  });
  afterAll(() => home.remove());

  it('snapshots a folder holding a 4 MB and a 20 MB file, and the server holds their exact bytes', async () => {
    const run = await runCli(['chat', '--provider', 'fake', '--data-dir', dataDir, '--new', '--mount', project, 'use list_dir {"dir_path":"/workspace/data"}'], { env });
    expect(run.stderr).not.toContain('lightspeed:');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('< tool list_dir: ok');
    expect(run.stdout).toContain(`four.bin (${4 * MB} bytes)`);
    expect(run.stdout).toContain(`twenty.bin (${20 * MB} bytes)`);

    const ref = `sha256:${createHash('sha256').update(big.twenty).digest('hex')}`;
    const out = join(home.path, 'twenty.out');
    const read = await runCli(['blobs', 'read', ref, '--data-dir', dataDir, '-o', out], { env });
    expect(read.code).toBe(0);
    expect((await readFile(out)).equals(big.twenty)).toBe(true);
  }, 120_000);
});
