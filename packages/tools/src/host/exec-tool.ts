import { isWithin, normalizePath, relativeTo } from '@lightspeed/vfs';
import { fail, ok, type LogicalTool } from '../tool-definition.js';
import { execCommand } from './exec-command.js';

export interface ExecArgs {
  command: string;
  /** Session path of the working directory (must be inside the host mount). */
  workdir?: string;
  timeoutMs?: number;
}

export const EXEC_DEFAULTS = { timeoutMs: 120_000, maxTimeoutMs: 600_000, maxOutputBytes: 64 * 1024 };

/** Runs a shell command in the host environment. */
export const execTool: LogicalTool<ExecArgs> = {
  logical: 'host.exec',
  parallelism: 'exclusive',
  async run(args, env) {
    const host = env.host;
    if (!host?.execEnabled) return fail('exec is not enabled for this session.');
    if (args.command.trim() === '') return fail('command is empty.');
    const workdir = normalizePath(args.workdir ?? host.mountPath);
    if (!isWithin(workdir, host.mountPath)) return fail(`workdir ${workdir} is outside the host directory mounted at ${host.mountPath}.`);
    const cwd = await host.root.existing(relativeTo(workdir, host.mountPath));
    const maxTimeout = host.config.maxTimeoutMs ?? EXEC_DEFAULTS.maxTimeoutMs;
    const timeoutMs = Math.min(args.timeoutMs ?? host.config.defaultTimeoutMs ?? EXEC_DEFAULTS.timeoutMs, maxTimeout);
    const result = await execCommand({
      command: args.command,
      cwd,
      timeoutMs,
      maxOutputBytes: host.config.maxOutputBytes ?? EXEC_DEFAULTS.maxOutputBytes,
      env: host.commandEnv(),
      ...(env.signal ? { signal: env.signal } : {}),
      ...(host.commands ? { ledger: host.commands } : {}),
    });
    const status = result.timedOut
      ? `timed out after ${timeoutMs} ms; the process group was killed`
      : result.cancelled
        ? 'cancelled; the process group was killed'
        : result.exitCode === null
          ? `terminated by ${result.signal ?? 'a signal'}`
          : `exit code ${result.exitCode}`;
    const text = `${status}\n${result.output === '' ? '(no output)' : result.output}`;
    return result.exitCode === 0 && !result.timedOut && !result.cancelled ? ok(text, [{ kind: 'host.exec', data: { command: args.command.slice(0, 200) } }]) : fail(text);
  },
};
