import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mountSmallFilesystem, type SmallFilesystem } from '@lightspeed/testkit';
import { describeFailure } from '../src/cli-error.js';
import { cleanEnv, runCli, startServe, type CliRun } from './support/cli-harness.js';

// Real ENOSPC: the data directory is on a small tmpfs that the test fills.
describe('a full disk', () => {
  it('on first start says the disk is full, where, and what to do (not "lightspeed: Infinity")', async () => {
    const disk = await mountSmallFilesystem(8 * 1024 * 1024);
    try {
      const dataDir = join(disk.path, 'data');
      const run = await runCli(['sessions', 'list', '--data-dir', dataDir], { env: cleanEnv(disk.path) });
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(new RegExp(`^lightspeed: disk full writing ${join(dataDir, 'pglite')} \\(.*\\): free space on ${disk.path} .*then retry \\(unavailable\\)\\n$`));
      expect(run.stderr).not.toContain('Infinity');
    } finally {
      await disk.unmount();
    }
  }, 60_000);

  describe('under a running serve', () => {
    let disk: SmallFilesystem;
    let server: { url: string; stop(): Promise<CliRun> };
    beforeAll(async () => {
      disk = await mountSmallFilesystem(64 * 1024 * 1024);
      server = await startServe(['--provider', 'fake', '--data-dir', join(disk.path, 'data')], cleanEnv(disk.path));
    }, 90_000);
    afterAll(async () => {
      await disk?.unfill();
      const stopped = await server?.stop();
      await disk?.unmount();
      expect(stopped?.code).toBe(0);
      // The server log names the path the client is not told.
      expect(stopped?.stderr).toMatch(new RegExp(`internal error in blobs/put: disk full writing ${disk.path}/data/pglite`));
    });

    async function putBlob(): Promise<any> {
      const response = await fetch(`${server.url}/rpc`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'blobs/put', params: { blobs: [{ bytesBase64: randomBytes(96 * 1024).toString('base64') }] } }),
      });
      return response.json();
    }

    it('answers writes with "out of disk space, retry once freed" instead of an opaque internal error, and recovers', async () => {
      await disk.fill(256 * 1024);
      let answer: any;
      for (let i = 0; i < 64; i++) {
        answer = await putBlob();
        if (answer.error) break;
      }
      expect(answer.error.data.kind).toBe('internal');
      expect(answer.error.message).toMatch(/ran out of disk space .* retry once its operator has freed space/);
      expect(JSON.stringify(answer)).not.toContain(disk.path);
      await disk.unfill();
      expect((await putBlob()).result).toBeDefined();
    }, 60_000);
  });

  it('a bare value thrown by a library is printed with what it is and what to do', () => {
    const failure = describeFailure(Infinity);
    expect(failure.message).toBe('unexpected failure: a library threw number Infinity instead of an error');
    expect(failure.hint).toContain('--debug');
  });
});
