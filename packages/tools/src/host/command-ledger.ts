import { mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { currentBootId, liveGroupMembers, processInfo } from '@lightspeed/process-table';

/** The start identity of a process: a pid alone may by now name another process. */
export interface ProcessStart {
  pid: number;
  startTime: string;
  /** Linux boot id: start times count from boot, so one from another boot matches nothing. */
  bootId?: string;
}

/** One command that is (or was, when its owner died) running in its own process group. */
export interface RunningCommandRecord {
  version: 1;
  /** The group, whose id is its leader's pid (the shell the command was spawned as). */
  pgid: number;
  leader: ProcessStart;
  /** The process that ran the command: while it lives the record is its own, not an orphan. */
  owner: ProcessStart;
  /** The first 200 characters of the command, for the message that says what was killed. */
  command: string;
  cwd: string;
  startedAt: string;
}

/** A recorded command: `release` once it finished removes the record when its group is gone. */
export interface RunningCommand {
  readonly record: RunningCommandRecord;
  release(): Promise<void>;
}

export interface ReapSummary {
  /** Orphaned groups that were killed (and are gone). */
  killed: RunningCommandRecord[];
  /** Groups that were signalled but still had live members when the wait ran out (record kept). */
  survivors: RunningCommandRecord[];
  /** Records of groups already gone (or whose pid now names another process): deleted, nothing killed. */
  stale: number;
}

const RECORD_SUFFIX = '.json';
const TEMP_SUFFIX = '.tmp';
/** A temp record older than this was left by a write that died; a younger one may be mid-write. */
const TEMP_MAX_AGE_MS = 60_000;

/**
 * A directory of the commands this machine is running for sessions, one small JSON file per
 * process group, written (and fsynced) before the command is let run and removed once its group is
 * dead. After a crash, what is left names exactly the groups the dead process left behind, so the
 * next start can kill them before it re-runs the calls they belonged to (`reapOrphanedCommands`).
 */
export class CommandLedger {
  constructor(readonly dir: string) {}

  /** Durably records the group led by `pgid` (spawned, still waiting to run its command). */
  async record(pgid: number, command: string, cwd: string): Promise<RunningCommand> {
    const [leader, owner] = await Promise.all([processStart(pgid), ownerStart()]);
    if (!leader) throw new Error(`process ${pgid} is already gone`);
    const record: RunningCommandRecord = { version: 1, pgid, leader, owner, command: command.slice(0, 200), cwd, startedAt: new Date().toISOString() };
    // Every time, not once: a directory removed meanwhile must not fail every later command.
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const name = recordName(record);
    await writeDurably(this.dir, name, `${JSON.stringify(record)}\n`);
    return {
      record,
      release: async () => {
        // Killed at the end of the call, but a member may take a moment to go: a record dropped
        // while one still runs would let it outlive a crash unnoticed.
        if (await waitUntilGone(pgid, 2000)) await rm(join(this.dir, name), { force: true });
      },
    };
  }
}

/**
 * Kills the process groups that commands recorded in `dir` left running when their owner died,
 * waits (up to `waitMs` per group) until they are gone, and deletes their records. A record whose
 * leader pid now belongs to another process is deleted without killing anything; one whose owner
 * still runs is left alone (two processes may share the directory).
 */
export async function reapOrphanedCommands(dir: string, options: { waitMs?: number } = {}): Promise<ReapSummary> {
  const summary: ReapSummary = { killed: [], survivors: [], stale: 0 };
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return summary;
    throw error;
  }
  for (const name of names) {
    const path = join(dir, name);
    if (name.endsWith(TEMP_SUFFIX)) {
      // The command of an unrenamed temp record never got the go-ahead: nothing to kill.
      const info = await stat(path).catch(() => undefined);
      if (info && Date.now() - info.mtimeMs > TEMP_MAX_AGE_MS) await rm(path, { force: true });
      continue;
    }
    if (!name.endsWith(RECORD_SUFFIX)) continue;
    const record = parseRecord(await readFile(path, 'utf8').catch(() => ''));
    if (!record) {
      await rm(path, { force: true });
      summary.stale++;
      continue;
    }
    if (await isRunning(record.owner)) continue;
    if (!(await isOurGroup(record))) {
      await rm(path, { force: true });
      summary.stale++;
      continue;
    }
    try {
      process.kill(-record.pgid, 'SIGKILL');
    } catch {
      // Gone between the look and the kill.
    }
    if (await waitUntilGone(record.pgid, options.waitMs ?? 5000)) {
      await rm(path, { force: true });
      summary.killed.push(record);
    } else summary.survivors.push(record);
  }
  return summary;
}

/** What the CLI prints about a reap, or undefined when it did nothing worth saying. */
export function describeReap(summary: ReapSummary): string | undefined {
  const lines: string[] = [];
  const count = (n: number) => (n === 1 ? '1 command' : `${n} commands`);
  if (summary.killed.length > 0) {
    lines.push(`lightspeed: killed ${count(summary.killed.length)} a previous run left running (its calls run again):`);
    for (const record of summary.killed) lines.push(`  process group ${record.pgid}, started ${record.startedAt}: ${record.command}`);
  }
  if (summary.survivors.length > 0) {
    lines.push(`lightspeed: ${count(summary.survivors.length)} left running by a previous run did not die on SIGKILL:`);
    for (const record of summary.survivors) lines.push(`  process group ${record.pgid}: ${record.command}`);
  }
  return lines.length > 0 ? lines.join('\n') : undefined;
}

/**
 * Whether the recorded group still runs the recorded command. Its leader with the recorded start
 * means yes. With the leader gone, live members of the group (in the session the leader created)
 * are its descendants: the kernel does not hand out a pid still in use as a group id, so the id
 * cannot have been reused while they live.
 */
async function isOurGroup(record: RunningCommandRecord): Promise<boolean> {
  const bootId = currentBootId();
  if (record.leader.bootId !== undefined && bootId !== undefined && record.leader.bootId !== bootId) return false;
  const leader = await processInfo(record.pgid);
  if (leader && !leader.zombie) return leader.startTime === record.leader.startTime && leader.pgrp === record.pgid;
  if (leader && leader.startTime !== record.leader.startTime) return false;
  const members = await liveGroupMembers(record.pgid);
  return members.some((member) => member.session === undefined || member.session === record.pgid);
}

async function isRunning(start: ProcessStart): Promise<boolean> {
  const bootId = currentBootId();
  if (start.bootId !== undefined && bootId !== undefined && start.bootId !== bootId) return false;
  const info = await processInfo(start.pid);
  return info !== undefined && !info.zombie && info.startTime === start.startTime;
}

/** Polls until the group has no live member; false if one is still there after `timeoutMs`. */
async function waitUntilGone(pgid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if ((await liveGroupMembers(pgid)).length === 0) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function processStart(pid: number): Promise<ProcessStart | undefined> {
  const info = await processInfo(pid);
  const bootId = currentBootId();
  if (!info) return undefined;
  return { pid, startTime: info.startTime, ...(bootId !== undefined ? { bootId } : {}) };
}

let ownerPromise: Promise<ProcessStart> | undefined;
function ownerStart(): Promise<ProcessStart> {
  ownerPromise ??= processStart(process.pid).then((start) => start ?? { pid: process.pid, startTime: 'unknown' });
  return ownerPromise;
}

function recordName(record: RunningCommandRecord): string {
  return `${record.pgid}-${record.leader.startTime.replace(/[^0-9A-Za-z]+/g, '_')}${RECORD_SUFFIX}`;
}

function parseRecord(text: string): RunningCommandRecord | undefined {
  try {
    const value = JSON.parse(text) as Partial<RunningCommandRecord> | null;
    const start = (s: Partial<ProcessStart> | undefined) => s !== undefined && Number.isInteger(s.pid) && typeof s.startTime === 'string';
    if (value?.version !== 1 || !Number.isInteger(value.pgid) || (value.pgid ?? 0) <= 1 || !start(value.leader) || !start(value.owner)) return undefined;
    return value as RunningCommandRecord;
  } catch {
    return undefined;
  }
}

/** Temp file, fsync, rename, fsync the directory: after return the record survives a power cut. */
export async function writeDurably(dir: string, name: string, text: string): Promise<void> {
  const temp = join(dir, `.${name}.${process.pid}${TEMP_SUFFIX}`);
  const file = await open(temp, 'w', 0o600);
  try {
    await file.writeFile(text);
    await file.sync();
  } finally {
    await file.close();
  }
  await rename(temp, join(dir, name));
  const directory = await open(dir, 'r');
  try {
    await directory.sync();
  } finally {
    await directory.close();
  }
}
