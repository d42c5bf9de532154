import { execFile } from 'node:child_process';
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

let bootIdPromise: Promise<string | undefined> | undefined;

/**
 * The boot a start time belongs to (Linux start times restart from zero at every boot), or
 * undefined where there is none to read (`lstart` is wall-clock time, so it needs none).
 */
export function currentBootId(): Promise<string | undefined> {
  bootIdPromise ??= hasProcfs
    ? readFile('/proc/sys/kernel/random/boot_id', 'utf8').then(
        (text) => text.trim(),
        () => undefined,
      )
    : Promise.resolve(undefined);
  return bootIdPromise;
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
  try {
    process.kill(-pgid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return [];
  }
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
