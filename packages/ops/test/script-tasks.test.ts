// Script tasks end to end: the real dispatcher and SQL queue (PGlite and a real PostgreSQL server),
// script executors stored as agent profiles through the API's handlers, real commands in
// environments (bubblewrap where this machine has it) over the universe's workspaces.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getJson, getText } from '@lightspeed/cas';
import type { BlobRef } from '@lightspeed/engine';
import { Environments, type CommandResult } from '@lightspeed/environments';
import { processesWith } from '@lightspeed/testkit';
import { Workspaces } from '@lightspeed/vfs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { settled, startDispatchStack, UNIVERSE, type DispatchStack } from './support/dispatch-stack.js';
import { sqlBackends } from './support/sql-backends.js';

const SECRET = 'tok-9c41b7e2a05d';

describe.each(sqlBackends())('script tasks on %s', (_name, backend) => {
  let stack: DispatchStack;
  let root: string;
  let environments: Environments;
  beforeAll(async () => {
    stack = await startDispatchStack({ backend: await backend(), migrate: true });
    root = await mkdtemp(join(tmpdir(), 'ls-script-'));
    const workspaces = new Workspaces(stack.host.workspaces(UNIVERSE), stack.host.blobs(UNIVERSE));
    environments = new Environments({ root, blobs: stack.host.blobs(UNIVERSE), workspaces, env: { PATH: process.env.PATH, CHECK_TOKEN: SECRET } });
    await stack.workspace('checks');
    // Counts its attempts in the workspace (collected after every attempt) and succeeds on the third.
    await stack.putAgent('flaky', {
      task: {
        executor: {
          type: 'script',
          argv: ['sh', '-c', 'n=$(( $(cat count 2>/dev/null || echo 0) + 1 )); echo $n > count; echo "{{payload.label}} attempt $n token=$CHECK_TOKEN"; [ $n -ge 3 ] || { echo "not yet" >&2; exit 1; }'],
          workspaceId: 'checks',
          credentials: ['CHECK_TOKEN'],
        },
        requiredArtifacts: ['/count'],
      },
    });
    await stack.putAgent('sleepy', {
      task: { executor: { type: 'script', argv: ['sh', '-c', 'sleep 3{{payload.marker}} & sh -c "sleep 4{{payload.marker}}" & wait'], timeoutMs: 400 } },
    });
    await stack.putAgent('picky', { task: { executor: { type: 'script', argv: ['sh', '-c', 'exit {{payload.code}}'], exitCodes: { blocked: [3], fatal: [4] } } } });
  }, 60_000);
  afterAll(async () => {
    await stack?.close();
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('retries a failing script: fails twice, then succeeds; every attempt recorded with its output in CAS, the credential redacted', async () => {
    const dispatcher = stack.dispatcher({ environments: () => environments });
    try {
      const queue = stack.storage.tasks(UNIVERSE);
      const { task } = await queue.enqueue({ kind: 'check', agent: 'flaky', payload: { label: 'lint' }, maxAttempts: 3, backoff: { initialDelayMs: 5, maxDelayMs: 20, multiplier: 2, jitter: 0 } });
      const done = await settled(stack, task.id);
      expect(done.state).toBe('succeeded');
      expect(done.attempts).toBe(3);
      const attempts = await queue.attempts(task.id);
      expect(attempts.map((attempt) => [attempt.attempt, attempt.outcome, attempt.errorClass ?? null])).toEqual([
        [1, 'failed', 'script_failed'],
        [2, 'failed', 'script_failed'],
        [3, 'succeeded', null],
      ]);
      expect(attempts[0]!.error).toBe('the command exited with 1: not yet');
      expect(attempts[0]!.sessionId).toBeUndefined();
      const blobs = stack.host.blobs(UNIVERSE);
      for (const [index, attempt] of attempts.entries()) {
        const result = await getJson<CommandResult>(blobs, attempt.evidence[0] as BlobRef);
        expect(result.exitCode).toBe(index < 2 ? 1 : 0);
        const stdout = await getText(blobs, attempt.evidence[1] as BlobRef);
        expect(stdout).toBe(`lint attempt ${index + 1} token=[redacted:CHECK_TOKEN]\n`);
        for (const ref of attempt.evidence.slice(0, 4)) expect(await getText(blobs, ref as BlobRef)).not.toContain(SECRET);
      }
      expect(await stack.readFile('checks', '/count')).toBe('3\n');
    } finally {
      await dispatcher.stop();
    }
  });

  it('fails a script that runs past its timeout, with its process group (child and grandchild) killed', async () => {
    const dispatcher = stack.dispatcher({ environments: () => environments });
    try {
      const queue = stack.storage.tasks(UNIVERSE);
      const marker = `${Date.now() % 100000}.${Math.floor(Math.random() * 1000)}`;
      const { task } = await queue.enqueue({ kind: 'check', agent: 'sleepy', payload: { marker }, maxAttempts: 1 });
      const done = await settled(stack, task.id);
      expect(done.state).toBe('failed');
      expect(done.lastError).toEqual({ class: 'timeout', message: 'the command ran longer than 400 ms; its process group was killed' });
      expect(await processesWith(marker)).toEqual([]);
      const [attempt] = await queue.attempts(task.id);
      expect(attempt).toMatchObject({ outcome: 'failed', errorClass: 'timeout' });
    } finally {
      await dispatcher.stop();
    }
  });

  it('maps exit codes to outcomes: blocked, fatal (no retry), and no environments is a typed failure', async () => {
    const queue = stack.storage.tasks(UNIVERSE);
    let dispatcher = stack.dispatcher({ environments: () => environments });
    try {
      const blocked = await queue.enqueue({ kind: 'check', agent: 'picky', payload: { code: 3 } });
      const fatal = await queue.enqueue({ kind: 'check', agent: 'picky', payload: { code: 4 }, maxAttempts: 3 });
      expect(await settled(stack, blocked.task.id)).toMatchObject({ state: 'blocked', attempts: 1 });
      expect(await settled(stack, fatal.task.id)).toMatchObject({ state: 'failed', attempts: 1, lastError: { class: 'script_failed', message: 'the command exited with 4' } });
    } finally {
      await dispatcher.stop();
    }
    dispatcher = stack.dispatcher();
    try {
      const orphan = await queue.enqueue({ kind: 'check', agent: 'picky', payload: { code: 0 } });
      expect(await settled(stack, orphan.task.id)).toMatchObject({ state: 'failed', lastError: { class: 'script_unavailable' } });
    } finally {
      await dispatcher.stop();
    }
  });

  it('refuses a script executor with bad templates or overlapping exit codes when the profile is stored', async () => {
    await expect(stack.putAgent('bad', { task: { executor: { type: 'script', argv: ['echo', '{{nope}}'] } } })).rejects.toThrow(/unknown placeholder/);
    await expect(stack.putAgent('bad', { task: { executor: { type: 'script', argv: ['true'], exitCodes: { blocked: [2], fatal: [2] } } } })).rejects.toThrow(/both blocked and fatal/);
    await expect(stack.putAgent('bad', { task: { executor: { type: 'script', argv: [] } } })).rejects.toThrow(/argv/);
  });
});
