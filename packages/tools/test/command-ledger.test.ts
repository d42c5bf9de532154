import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LightspeedError } from '@lightspeed/ports';
import { CommandLedger, describeReap, execCommand, reapOrphanedCommands } from '../src/index.js';
import { liveGroupMembers, processInfo } from '@lightspeed/process-table';

const here = dirname(fileURLToPath(import.meta.url));
const childScript = join(here, 'fixtures', 'exec-in-child.ts');

let dir: string;
let ledgerDir: string;
let log: string;
const children: ChildProcess[] = [];
const groups: number[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ls-ledger-'));
  ledgerDir = join(dir, 'running-commands');
  log = join(dir, 'log');
});
afterEach(async () => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
  for (const pgid of groups.splice(0)) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  await rm(dir, { recursive: true, force: true });
});

/** A command that logs `start <pid>`, then a tick every 50 ms for `seconds`, then `end`. */
function tickingCommand(seconds: number): string {
  return `echo "start $$" >> ${log}; i=0; while [ $i -lt ${seconds * 20} ]; do echo tick >> ${log}; sleep 0.05; i=$((i+1)); done; echo end >> ${log}`;
}

/** Runs the command in a separate node process (the "server"), which the test can SIGKILL. */
function runInChild(command: string, mode?: 'hang'): { child: ChildProcess; stdout: () => string } {
  const child = spawn(process.execPath, ['--conditions=lightspeed-src', '--import', 'tsx', childScript, ledgerDir, dir, command, ...(mode ? [mode] : [])], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  let text = '';
  child.stdout!.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  return { child, stdout: () => text };
}

async function until<T>(check: () => Promise<T | undefined> | T | undefined, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting for a condition');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const readLog = () => readFile(log, 'utf8').catch(() => '');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function killAndWait(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

describe('running commands outlive a killed owner only until the next start reaps them', () => {
  it('a SIGKILLed owner leaves its command running; reapOrphanedCommands kills the group and deletes the record', async () => {
    const { child } = runInChild(tickingCommand(30));
    const pgid = await until(async () => {
      const match = /start (\d+)/.exec(await readLog());
      return match ? Number(match[1]) : undefined;
    });
    groups.push(pgid);
    expect((await readdir(ledgerDir)).filter((name) => name.endsWith('.json'))).toHaveLength(1);

    await killAndWait(child);
    // The group is detached from its owner: it keeps running (this is the bug the ledger answers).
    const ticksAtKill = (await readLog()).split('\n').length;
    await sleep(300);
    expect((await readLog()).split('\n').length).toBeGreaterThan(ticksAtKill);
    expect(await liveGroupMembers(pgid)).not.toHaveLength(0);

    const summary = await reapOrphanedCommands(ledgerDir);
    expect(summary.killed.map((record) => record.pgid)).toEqual([pgid]);
    expect(summary.killed[0]!.command).toContain('start $$');
    expect(summary.survivors).toEqual([]);
    expect(describeReap(summary)).toMatch(/^lightspeed: killed 1 command a previous run left running/);
    // Gone when the reap returns: nothing is logged afterwards, and the record is deleted.
    expect(await liveGroupMembers(pgid)).toEqual([]);
    const afterReap = await readLog();
    await sleep(200);
    expect(await readLog()).toBe(afterReap);
    expect(afterReap).not.toContain('end');
    expect(await readdir(ledgerDir)).toEqual([]);
    // A second start finds nothing to do.
    expect(await reapOrphanedCommands(ledgerDir)).toEqual({ killed: [], survivors: [], stale: 0 });
  });

  it('a command whose owner dies before its record is written never runs', async () => {
    const { child, stdout } = runInChild(`echo ran >> ${log}`, 'hang');
    await until(() => (stdout().includes('recording') ? true : undefined));
    await killAndWait(child);
    await sleep(300);
    expect(await readLog()).toBe('');
  });

  it('a finished command leaves no record; a live owner’s record is not reaped', async () => {
    const ledger = new CommandLedger(ledgerDir);
    const running = execCommand({ command: `echo "start $$" >> ${log}; sleep 1`, cwd: dir, timeoutMs: 10_000, maxOutputBytes: 1000, env: { PATH: process.env.PATH! }, ledger });
    const pgid = await until(async () => {
      const match = /start (\d+)/.exec(await readLog());
      return match ? Number(match[1]) : undefined;
    });
    expect(await reapOrphanedCommands(ledgerDir)).toEqual({ killed: [], survivors: [], stale: 0 });
    expect(await liveGroupMembers(pgid)).not.toHaveLength(0);
    const result = await running;
    expect(result.exitCode).toBe(0);
    expect(await readdir(ledgerDir)).toEqual([]);
  });

  it('a record whose pid now names another process is deleted without killing it', async () => {
    const bystander = spawn('sleep', ['30'], { detached: true, stdio: 'ignore' });
    groups.push(bystander.pid!);
    const info = await until(() => processInfo(bystander.pid!));
    const stranger = { pid: bystander.pid!, startTime: `${info.startTime}1` };
    const deadOwner = { pid: 999_999_999, startTime: '1' };
    const record = { version: 1, pgid: bystander.pid!, leader: stranger, owner: deadOwner, command: 'sleep 30', cwd: dir, startedAt: new Date().toISOString() };
    await mkdir(ledgerDir);
    await writeFile(join(ledgerDir, `${bystander.pid}-x.json`), JSON.stringify(record));
    await writeFile(join(ledgerDir, 'garbage.json'), '{not json');
    const summary = await reapOrphanedCommands(ledgerDir);
    expect(summary).toEqual({ killed: [], survivors: [], stale: 2 });
    expect((await processInfo(bystander.pid!))?.zombie).toBe(false);
    expect(await readdir(ledgerDir)).toEqual([]);
  });

  it('when the ledger cannot be written the command is not run', async () => {
    const notADirectory = join(dir, 'file');
    await writeFile(notADirectory, '');
    const error = await execCommand({ command: `echo ran >> ${log}`, cwd: dir, timeoutMs: 10_000, maxOutputBytes: 1000, env: { PATH: process.env.PATH! }, ledger: new CommandLedger(notADirectory) }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(LightspeedError);
    expect((error as LightspeedError).code).toBe('unavailable');
    await sleep(100);
    expect(await readLog()).toBe('');
  });

  it('a call cancelled before its command got the go-ahead is reported cancelled and never runs', async () => {
    const controller = new AbortController();
    controller.abort();
    const result = await execCommand({ command: `echo ran >> ${log}`, cwd: dir, timeoutMs: 10_000, maxOutputBytes: 1000, env: { PATH: process.env.PATH! }, signal: controller.signal, ledger: new CommandLedger(ledgerDir) });
    expect(result.cancelled).toBe(true);
    await sleep(100);
    expect(await readLog()).toBe('');
    expect(await readdir(ledgerDir).catch(() => [])).toEqual([]);
  });
});
