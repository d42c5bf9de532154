import { readFileSync } from 'node:fs';

let bootId: string | undefined | null = null;

/**
 * What tells a process apart from a later one that got the same pid: on Linux, the boot id and the
 * process's start time in clock ticks since boot (field 22 of /proc/<pid>/stat). Undefined where
 * the platform offers no such record (or the process is gone): callers must then assume the pid
 * may still be the process they knew.
 */
export function processIdentity(pid: number): string | undefined {
  if (process.platform !== 'linux') return undefined;
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) is in parentheses and may itself contain spaces and ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const startTime = fields[19];
  if (!startTime || !/^\d+$/.test(startTime)) return undefined;
  return `linux:${currentBootId() ?? 'unknown-boot'}:${startTime}`;
}

function currentBootId(): string | undefined {
  if (bootId === null) {
    try {
      bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    } catch {
      bootId = undefined;
    }
  }
  return bootId;
}
