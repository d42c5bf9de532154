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
 * server. `lightspeed gateway`: `serve --engine temporal` (or `--engine restate`) without a worker
 * or Restate endpoint in the process.
 */
export function registerTemporalCommands(program: Command, ctx: CommandContext): void {
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

  program
    .command('gateway')
    .description('run the API server with no worker or endpoint in this process: temporal by default, --engine restate (options as for serve; needs LIGHTSPEED_POSTGRES_URL)')
    .allowUnknownOption()
    .helpOption(false)
    .argument('[serve-options...]')
    .action(async (args: string[]) => {
      // A fresh program, so `serve` parses its own options exactly as when called directly.
      const { buildProgram } = await import('../main.js');
      const gatewayCtx: CommandContext = { ...ctx, io: { ...ctx.io, env: { ...ctx.io.env, LIGHTSPEED_TEMPORAL_ROLE: 'gateway', LIGHTSPEED_RESTATE_ROLE: 'gateway' } } };
      // A later `--engine restate` among the forwarded options overrides the default.
      await buildProgram(gatewayCtx).parseAsync(['serve', '--engine', 'temporal', ...args], { from: 'user' });
      ctx.exitCode = gatewayCtx.exitCode;
      ctx.handlesInterrupt = gatewayCtx.handlesInterrupt;
    });
}
