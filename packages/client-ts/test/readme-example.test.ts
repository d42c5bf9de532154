import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLiveServe, type LiveServe } from './support/live-serve.js';

const here = dirname(fileURLToPath(import.meta.url));
const EXAMPLE = join(here, 'readme-example.ts');

describe('the README example', () => {
  let serve: LiveServe;
  beforeAll(async () => {
    serve = await startLiveServe();
  }, 120_000);
  afterAll(async () => {
    await serve?.stop();
  });

  it('is the committed, type-checked test/readme-example.ts', () => {
    const readme = readFileSync(join(here, '..', 'README.md'), 'utf8');
    const block = /<!-- example: test\/readme-example\.ts -->\n```ts\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(block, 'README.md has the marked example block').toBeDefined();
    expect(block).toBe(readFileSync(EXAMPLE, 'utf8'));
  });

  it('runs against a live `lightspeed serve` with an API key', async () => {
    const { stdout, stderr } = await new Promise<{ stdout: string; stderr: string }>((resolve, reject) => {
      execFile('node', ['--conditions=lightspeed-src', '--import', 'tsx', EXAMPLE], { env: { PATH: process.env.PATH, LIGHTSPEED_API_URL: serve.url, LIGHTSPEED_API_KEY: serve.apiKey }, timeout: 60_000 }, (error, out, err) =>
        error ? reject(new Error(`${error.message}\n${err}`)) : resolve({ stdout: out, stderr: err }),
      );
    });
    expect(stderr).toBe('');
    expect(stdout).toMatch(/\nrun completed: .*You said: hello from the client\n/);
    // The streamed deltas came first, then the answer read back from session/read.
    expect(stdout.indexOf('You said')).toBeLessThan(stdout.indexOf('run completed'));
    expect(stdout).toMatch(/not_found \(-32004\): .*no-such-session/);
  }, 90_000);
});
