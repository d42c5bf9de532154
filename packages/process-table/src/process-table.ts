import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';

/**
 * One process as the OS reports it. `startTime` is what tells a process from a later one that got
 * the same pid: on Linux the start in clock ticks since boot (/proc/<pid>/stat field 22), elsewhere
 * `ps -o lstart` (to the second).
 */
export interface ProcessInfo {
  pid: number;
  pgrp: number;
  /** The session id (Linux only: `ps` on macOS does not show it). */
  session?: number;
  startTime: string;
  /** Exited but not yet reaped by its parent: holds its pid and group, runs nothing. */
  zombie: boolean;
}

const hasProcfs = process.platform === 'linux';

let bootId: string | undefined | null = null;

/**
 * The boot a start time belongs to (Linux start times restart from zero at every boot), or
 * undefined where there is none to read (`lstart` is wall-clock time, so it needs none). Read once.
 */
export function currentBootId(): string | undefined {
  if (bootId === null) {
    try {
      bootId = hasProcfs ? readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() : undefined;
    } catch {
      bootId = undefined;
    }
  }
  return bootId;
}

/**
 * Whether a process with this pid exists (a negative pid: whether any process is in that group).
 * `kill(pid, 0)` sends nothing; EPERM means it exists but belongs to another user. A zombie
 * counts as existing: callers that care use `processInfo(pid).zombie`.
 */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * What tells a process apart from a later one that got the same pid, as one string: on Linux the
 * boot id and the start time in clock ticks since boot. Synchronous, for callers that cannot
 * await (the data-directory lock). Undefined where the platform offers no such record (or the
 * process is gone): callers must then assume the pid may still be the process they knew.
 */
export function processIdentity(pid: number): string | undefined {
  if (!hasProcfs) return undefined;
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  const startTime = parseProcStat(text)?.startTime;
  if (!startTime || !/^\d+$/.test(startTime)) return undefined;
  return `linux:${currentBootId() ?? 'unknown-boot'}:${startTime}`;
}

/** The process with this pid, or undefined when there is none (a zombie is reported as one). */
export async function processInfo(pid: number): Promise<ProcessInfo | undefined> {
  if (hasProcfs) {
    const text = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
    return text === undefined ? undefined : parseProcStat(text);
  }
  return (await psRows(['-p', String(pid)]))[0];
}

/** The processes of a group that still run (zombies excluded: they hold the group but do nothing). */
export async function liveGroupMembers(pgid: number): Promise<ProcessInfo[]> {
  // Fast path: no process at all carries the group id (zombies do, so a hit needs the full look).
  if (!processAlive(-pgid)) return [];
  const all = hasProcfs ? await procfsProcesses() : await psRows(['-A']);
  return all.filter((p) => p.pgrp === pgid && !p.zombie);
}

/** Parses /proc/<pid>/stat; the command name (field 2) may itself contain spaces and parentheses. */
export function parseProcStat(text: string): ProcessInfo | undefined {
  const open = text.indexOf(' (');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  // fields[0] is field 3 (state): pgrp is field 5, session 6, starttime 22.
  const fields = text.slice(close + 2).split(' ');
  const pid = Number(text.slice(0, open));
  const pgrp = Number(fields[2]);
  const session = Number(fields[3]);
  const startTime = fields[19];
  if (!Number.isInteger(pid) || !Number.isInteger(pgrp) || startTime === undefined) return undefined;
  return { pid, pgrp, session, startTime, zombie: fields[0] === 'Z' || fields[0] === 'X' };
}

async function procfsProcesses(): Promise<ProcessInfo[]> {
  const names = (await readdir('/proc')).filter((name) => /^\d+$/.test(name));
  const infos = await Promise.all(names.map((name) => processInfo(Number(name))));
  return infos.filter((info): info is ProcessInfo => info !== undefined);
}

/** `ps` rows (BSD and macOS, where there is no /proc); a pid that does not exist gives none. */
function psRows(selection: string[]): Promise<ProcessInfo[]> {
  return new Promise((resolve) => {
    execFile('ps', [...selection, '-o', 'pid=,pgid=,stat=,lstart='], { env: { LC_ALL: 'C', PATH: process.env.PATH ?? '/bin:/usr/bin' } }, (error, stdout) => {
      // ps exits 1 when the selection matches nothing.
      if (error && stdout === '') return resolve([]);
      const rows: ProcessInfo[] = [];
      for (const line of stdout.split('\n')) {
        const match = /^\s*(\d+)\s+(\d+)\s+(\S+)\s+(.+?)\s*$/.exec(line);
        if (match) rows.push({ pid: Number(match[1]), pgrp: Number(match[2]), startTime: match[4]!, zombie: match[3]!.startsWith('Z') });
      }
      resolve(rows);
    });
  });
}
