import type { Command } from 'commander';
import { startAgentStack } from '../runtime/agent-stack.js';
import { resolveDataDir } from '../runtime/data-dir.js';
import { withModelOptions, type CommandContext } from './command-context.js';

interface WorkerFlags {
  dataDir?: string;
  provider?: string;
  model?: string;
}

/**
 * `lightspeed worker`: a Temporal worker for session workflows and their effects, without an API
 * server (its API server is `lightspeed gateway`, in serve-command.ts).
 */
export function registerWorker(program: Command, ctx: CommandContext): void {
  const worker = program
    .command('worker')
    .description('run a Temporal worker for sessions (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, LIGHTSPEED_TASK_QUEUE, LIGHTSPEED_POSTGRES_URL)')
    .option('--data-dir <dir>', 'directory of providers.json (env LIGHTSPEED_HOME, default ~/.lightspeed)');
  withModelOptions(worker);
  worker.action(async (flags: WorkerFlags) => {
    ctx.handlesInterrupt = true;
    const dataDir = resolveDataDir(flags.dataDir, ctx.io.env, ctx.io.cwd);
    const stack = await startAgentStack({
      dataDir,
      engine: 'temporal',
      env: { ...ctx.io.env, LIGHTSPEED_TEMPORAL_ROLE: 'worker' },
      requireModel: false,
      ...(flags.provider ? { provider: flags.provider } : {}),
      ...(flags.model ? { model: flags.model } : {}),
    });
    try {
      const queue = ctx.io.env.LIGHTSPEED_TASK_QUEUE || 'lightspeed-sessions';
      ctx.io.stdout.write(`lightspeed worker polling ${queue} at ${ctx.io.env.TEMPORAL_ADDRESS || 'localhost:7233'} · storage ${stack.storageDescription}\n`);
      await new Promise<void>((resolve) => {
        if (ctx.signal.aborted) resolve();
        ctx.signal.addEventListener('abort', () => resolve(), { once: true });
      });
      ctx.io.stderr.write('stopping\n');
    } finally {
      await stack.close();
    }
  });
}
