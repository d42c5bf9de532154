import { readdir, readFile } from 'node:fs/promises';

/**
 * Pids of live processes whose command line has an argument containing `marker`. Read from /proc,
 * so it also finds processes inside another pid namespace (a bubblewrap sandbox), whose own pids
 * mean nothing out here. Zombies are dead and not reported: a container's PID 1 may never reap them.
 */
export async function processesWith(marker: string): Promise<number[]> {
  const found: number[] = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const [cmdline, stat] = await Promise.all([readFile(`/proc/${name}/cmdline`, 'utf8').catch(() => ''), readFile(`/proc/${name}/stat`, 'utf8').catch(() => '')]);
    if (cmdline.split('\0').some((arg) => arg.includes(marker)) && !/^\d+ \(.*\) Z/.test(stat)) found.push(Number(name));
  }
  return found;
}
