import { spawnSync } from 'node:child_process';

/** How commands of an environment are confined. */
export type IsolationMode = 'bubblewrap' | 'none';

/** What an environment asks for: `auto` uses bubblewrap when it works here, `bubblewrap` requires it. */
export type IsolationRequest = 'auto' | 'bubblewrap' | 'none';

export interface IsolationProbe {
  available: boolean;
  /** The bwrap binary found (absolute path), when one is. */
  path?: string;
  /** Why bubblewrap cannot be used here (missing binary, user namespaces refused…), when it cannot. */
  reason?: string;
}

/** What a bwrap invocation needs beside the command. */
export interface SandboxLayout {
  /** The environment's working directory: with `homeDir`, the only writable host paths. */
  workDir: string;
  homeDir: string;
  /** Host paths hidden behind an empty tmpfs (the data directory, other environments). */
  hidden: readonly string[];
  network: boolean;
}

const PROBE_FLAGS = ['--die-with-parent', '--new-session', '--unshare-pid', '--unshare-ipc', '--unshare-uts', '--unshare-net', '--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc', '--tmpfs', '/tmp'];

let cached: IsolationProbe | undefined;

/**
 * Whether bubblewrap works on this machine, checked once per process by running `true` in a sandbox
 * with the same namespaces an environment uses: a binary that exists but cannot create user or
 * network namespaces (a container without the privilege, `kernel.unprivileged_userns_clone=0`)
 * answers with its own error, which becomes the reason.
 */
export function probeBubblewrap(): IsolationProbe {
  if (cached) return cached;
  const which = spawnSync('/bin/sh', ['-c', 'command -v bwrap'], { encoding: 'utf8' });
  const path = which.status === 0 ? which.stdout.trim() : '';
  if (path === '') {
    cached = { available: false, reason: 'bubblewrap (bwrap) is not installed; install the Debian package bubblewrap (scripts/setup.d/bubblewrap.sh)' };
    return cached;
  }
  const run = spawnSync(path, [...PROBE_FLAGS, '--', 'true'], { encoding: 'utf8', timeout: 10_000 });
  if (run.status === 0) cached = { available: true, path };
  else {
    const said = (run.stderr || run.error?.message || `exit ${String(run.status)}`).trim().split('\n')[0];
    cached = { available: false, path, reason: `bwrap cannot create its sandbox here: ${said}` };
  }
  return cached;
}

/**
 * The bwrap prefix for one command: the whole system read-only, a private /tmp, /dev and /proc of
 * its own, the hidden paths empty, the work and home directories the only writable host paths, no network
 * unless allowed, and its own pid namespace: when the outer bwrap (the recorded group leader) is
 * killed, `--die-with-parent` takes its init down and the kernel kills every process left in the
 * namespace, including ones that called `setsid`.
 */
export function bubblewrapArgv(bwrap: string, layout: SandboxLayout, argv: readonly string[]): string[] {
  const args = [bwrap, '--die-with-parent', '--new-session', '--unshare-pid', '--unshare-ipc', '--unshare-uts'];
  if (!layout.network) args.push('--unshare-net');
  args.push('--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc', '--tmpfs', '/tmp');
  for (const path of layout.hidden) args.push('--tmpfs', path);
  args.push('--bind', layout.workDir, layout.workDir, '--bind', layout.homeDir, layout.homeDir, '--chdir', layout.workDir, '--', ...argv);
  return args;
}
