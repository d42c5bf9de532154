import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, runCli, startServe, tempDir } from './support/cli-harness.js';

describe('lightspeed workflows against lightspeed serve', () => {
  let home: { path: string; remove(): Promise<void> };
  let env: NodeJS.ProcessEnv;
  let server: { url: string; stop(): Promise<unknown> };
  const cli = (args: string[]) => runCli([...args, '--api-url', server.url], { env });

  beforeAll(async () => {
    home = await tempDir('ls-cli-workflows-');
    env = cleanEnv(home.path);
    // No dispatcher: the steps' tasks stay queued, so the moves below are the operator's alone.
    server = await startServe(['--provider', 'fake', '--no-dispatch'], env);
  });
  afterAll(async () => {
    await server?.stop();
    await home?.remove();
  });

  it('lists the goal-loop template, starts an instance idempotently, shows its steps as tasks, advances and cancels it', async () => {
    const templates = await cli(['workflows', 'templates']);
    expect(templates.code, templates.stderr).toBe(0);
    expect(templates.stdout).toMatch(/^goal-loop\t.*starts at plan, at most 3 iteration/m);
    expect(templates.stdout).toMatch(/^ {2}verify\tverifier\tsucceeded→@succeeded failed→plan blocked→plan/m);
    const started = await cli(['workflows', 'start', 'goal-loop', 'fix-1', '--goal', 'fix the flaky test', '--agent', 'verify=qa']);
    expect(started.code, started.stderr).toBe(0);
    expect(started.stdout).toMatch(/^fix-1\tgoal-loop\trunning\tplan #1\/3\ttask task_/);
    const again = await cli(['workflows', 'start', 'goal-loop', 'fix-1', '--goal', 'other']);
    expect(again.stderr).toMatch(/existed already/);
    const advanced = await cli(['workflows', 'advance', 'fix-1', '--outcome', 'succeeded', '--note', 'planned by hand']);
    expect(advanced.code, advanced.stderr).toBe(0);
    expect(advanced.stdout).toMatch(/\trunning\texecute #1\/3\t/);
    const shown = await cli(['workflows', 'show', 'fix-1']);
    expect(shown.stdout).toMatch(/^step\tplan #1\ttask task_\S+\tsucceeded$/m);
    expect(shown.stdout).toMatch(/^step\texecute #1\ttask task_\S+\tpending$/m);
    expect(shown.stdout).toMatch(/^move\t\S+\tplan → execute\tsucceeded\tby operator: planned by hand$/m);
    const tasks = await cli(['tasks', 'list', '--json']);
    expect(JSON.parse(tasks.stdout).tasks.filter((t: { source?: string }) => t.source === 'workflow:fix-1')).toHaveLength(2);
    expect((await cli(['workflows', 'cancel', 'fix-1', '--reason', 'done here'])).stdout).toMatch(/\tcancelled\texecute #1\/3\t.*done here$/m);
    expect((await cli(['workflows', 'list', '--status', 'cancelled'])).stdout).toMatch(/^fix-1\t/);
    const refused = await cli(['workflows', 'advance', 'fix-1', '--to', 'plan']);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/cancelled/);
  });
});
