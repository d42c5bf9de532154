import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { liveGroupMembers, parseProcStat, processAlive, processIdentity, processInfo } from '../src/index.js';

const onLinux = process.platform === 'linux';

async function exitedChild(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await once(child, 'exit');
  return child.pid!;
}

describe('process table', () => {
  it('reads /proc stat lines whose command name holds spaces and parentheses', () => {
    const line = '4242 (a (b) c) S 1 4242 4242 0 -1 4194560 100 0 0 0 0 0 0 0 20 0 1 0 987654 1000 10 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0';
    expect(parseProcStat(line)).toEqual({ pid: 4242, pgrp: 4242, session: 4242, startTime: '987654', zombie: false });
  });

  it('a running process is alive; one that exited and was reaped is not', async () => {
    expect(processAlive(process.pid)).toBe(true);
    expect(processAlive(await exitedChild())).toBe(false);
  });

  it('a group is alive while a member runs, and has no live members once it is gone', async () => {
    const child = spawn('sleep', ['30'], { detached: true, stdio: 'ignore' });
    const pgid = child.pid!;
    try {
      expect(processAlive(-pgid)).toBe(true);
      expect((await liveGroupMembers(pgid)).map((p) => p.pid)).toEqual([pgid]);
    } finally {
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
    expect(processAlive(-pgid)).toBe(false);
    expect(await liveGroupMembers(pgid)).toEqual([]);
  });

  it.runIf(onLinux)('a start identity tells a process from another and from none (Linux)', async () => {
    const mine = processIdentity(process.pid);
    expect(mine).toMatch(/^linux:[0-9a-f-]+:\d+$/);
    // Stable for one process, and the same start time the async reader sees.
    expect(processIdentity(process.pid)).toBe(mine);
    expect(mine!.endsWith(`:${(await processInfo(process.pid))!.startTime}`)).toBe(true);
    const child = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      await new Promise((resolve) => setTimeout(resolve, 20));
      const theirs = processIdentity(child.pid!);
      expect(theirs).toBeDefined();
      expect(theirs).not.toBe(mine);
    } finally {
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
    expect(processIdentity(child.pid!)).toBeUndefined();
  });
});
