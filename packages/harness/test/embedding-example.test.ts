import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

/** Runs examples/embedding/main.ts as a user would, from the sources (no build needed). */
function runExample(): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--conditions=lightspeed-src', '--import', 'tsx', 'examples/embedding/main.ts'],
      { cwd: repoRoot, env: { PATH: process.env.PATH, HOME: process.env.HOME }, timeout: 90_000 },
      (error, stdout, stderr) => resolve({ code: error ? Number((error as { code?: unknown }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('examples/embedding', () => {
  it('runs: the agent file starts a session, the model calls the custom tool, the answer and the events are printed', async () => {
    const { code, stdout, stderr } = await runExample();
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^session: ses_/m);
    // The handler ran with the validated input (the default unit applied) and a call id.
    expect(stdout).toMatch(/^tool: get_weather\(Paris, celsius\) call \S+$/m);
    expect(stdout).toContain('tool result: get_weather succeeded');
    expect(stdout).toContain('status: completed');
    expect(stdout).toContain('tool output: {"city":"Paris","sky":"sunny","temperature":21,"unit":"celsius"}');
    expect(stdout).toMatch(/^answer: .*Tool results received:\n- get_weather returned: \{"city":"Paris"/m);
    expect(stdout).toMatch(/^streamed [1-9]\d* characters$/m);
    const events = /^events: (.*)$/m.exec(stdout)?.[1]?.split(' ') ?? [];
    expect(events).toEqual(expect.arrayContaining(['runStarted', 'toolBatchStarted', 'toolCallCompleted', 'runCompleted']));
  }, 120_000);
});
