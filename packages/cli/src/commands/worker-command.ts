import { DEFAULT_UNIVERSE } from '@lightspeed/api';
import type { Command } from 'commander';
import { startStackDispatcher } from '../runtime/stack-dispatcher.js';
import { dispatchLimits, withDispatchOptions } from './serve-command.js';
import { startAgentStack } from '../runtime/agent-stack.js';
import { resolveDataDir } from '../runtime/data-dir.js';
import { withModelOptions, type CommandContext } from './command-context.js';

interface WorkerFlags {
  dataDir?: string;
  provider?: string;
  model?: string;
  dispatch: boolean;
  maxTasks?: string;
  maxTasksPerKey?: string;
  universe: string[];
}

/**
 * `lightspeed worker`: a Temporal worker for session workflows and their effects, without an API
 * server (its API server is `lightspeed gateway`, in serve-command.ts).
 */
export function registerWorker(program: Command, ctx: CommandContext): void {
  const worker = program
    .command('worker')
    .description('run a Temporal worker for sessions (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, LIGHTSPEED_TASK_QUEUE, LIGHTSPEED_POSTGRES_URL)')
    .option('--data-dir <dir>', 'directory of providers.json (env LIGHTSPEED_HOME, default ~/.lightspeed)')
    .option('--universe <name...>', 'universes whose task queues this worker dispatches', [DEFAULT_UNIVERSE]);
  withDispatchOptions(worker);
  withModelOptions(worker);
  worker.action(async (flags: WorkerFlags) => {
    ctx.handlesInterrupt = true;
    const taskLimits = dispatchLimits(flags);
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
      // Workers share the PostgreSQL store: each runs a dispatcher, and their claims never overlap.
      const dispatcher = flags.dispatch
        ? startStackDispatcher(stack, { universes: flags.universe, ...taskLimits, log: (line) => ctx.io.stderr.write(`${line}\n`) })
        : undefined;
      ctx.io.stdout.write(`lightspeed worker polling ${queue} at ${ctx.io.env.TEMPORAL_ADDRESS || 'localhost:7233'} · storage ${stack.storageDescription}${dispatcher ? ` · dispatching tasks of ${flags.universe.join(', ')}` : ''}\n`);
      await new Promise<void>((resolve) => {
        if (ctx.signal.aborted) resolve();
        ctx.signal.addEventListener('abort', () => resolve(), { once: true });
      });
      ctx.io.stderr.write('stopping\n');
      await dispatcher?.stop();
    } finally {
      await stack.close();
    }
  });
}
