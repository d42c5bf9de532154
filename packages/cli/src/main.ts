import { Command, CommanderError } from 'commander';
import { describeFailure, EXIT } from './cli-error.js';
import { processIo, type CliIo } from './cli-io.js';
import { registerAgents } from './commands/agents-command.js';
import { registerChat } from './commands/chat-command.js';
import { registerConfig } from './commands/config-command.js';
import type { CommandContext } from './commands/command-context.js';
import { registerKeys } from './commands/keys-command.js';
import { registerMcp } from './commands/mcp-command.js';
import { registerWaits } from './commands/waits-command.js';
import { registerDispatch } from './commands/dispatch-command.js';
import { registerTasks } from './commands/tasks-command.js';
import { registerEnvironments } from './commands/environments-command.js';
import { registerSchedules } from './commands/schedules-command.js';
import { registerWorkflows } from './commands/workflows-command.js';
import { registerEvents, registerTriggers } from './commands/events-command.js';
import { registerMemory } from './commands/memory-command.js';
import { registerMigrate } from './commands/migrate-command.js';
import { registerGateway, registerServe } from './commands/serve-command.js';
import { registerRuns, registerSessions } from './commands/sessions-command.js';
import { registerVfs } from './commands/vfs-command.js';
import { registerWorker } from './commands/worker-command.js';
import { registerBlobs } from './commands/blobs-command.js';

export interface MainOptions {
  io?: CliIo;
  /** Stops long-running commands; by default SIGINT/SIGTERM do. */
  signal?: AbortSignal;
}

export function buildProgram(ctx: CommandContext): Command {
  const program = new Command('lightspeed')
    .description('Lightspeed: a durable agent harness. Run an agent with `lightspeed chat`, serve one with `lightspeed serve`.')
    .version('0.1.0')
    .option('--debug', 'print stack traces of failures')
    .showHelpAfterError('(add --help for usage)')
    .exitOverride()
    .configureOutput({ writeOut: (text) => ctx.io.stdout.write(text), writeErr: (text) => ctx.io.stderr.write(text) });
  registerServe(program, ctx);
  registerChat(program, ctx);
  registerAgents(program, ctx);
  registerConfig(program, ctx);
  registerSessions(program, ctx);
  registerWaits(program, ctx);
  registerDispatch(program, ctx);
  registerTasks(program, ctx);
  registerEnvironments(program, ctx);
  registerRuns(program, ctx);
  registerVfs(program, ctx);
  registerBlobs(program, ctx);
  registerMcp(program, ctx);
  registerMigrate(program, ctx);
  registerKeys(program, ctx);
  registerWorker(program, ctx);
  registerSchedules(program, ctx);
  registerWorkflows(program, ctx);
  registerEvents(program, ctx);
  registerMemory(program, ctx);
  registerTriggers(program, ctx);
  registerGateway(program, ctx);
  // Subcommands inherit the error handling and output routing.
  const inherit = (command: Command) => {
    for (const sub of command.commands) {
      sub.exitOverride().configureOutput({ writeOut: (text) => ctx.io.stdout.write(text), writeErr: (text) => ctx.io.stderr.write(text) }).showHelpAfterError('(add --help for usage)');
      inherit(sub);
    }
  };
  inherit(program);
  return program;
}

/** Runs the CLI and resolves with the process exit code; never throws. */
export async function main(argv: string[], options: MainOptions = {}): Promise<number> {
  const io = options.io ?? processIo();
  const debug = argv.includes('--debug');
  const controller = new AbortController();
  const signal = options.signal ?? controller.signal;
  const ctx: CommandContext = { io, signal, exitCode: EXIT.ok };
  let detach = () => {};
  if (!options.signal) {
    // First interrupt: a graceful stop where the command supports one; otherwise, or the second time, exit.
    const interrupt = () => {
      if (!ctx.handlesInterrupt || controller.signal.aborted) process.exit(EXIT.interrupted);
      controller.abort();
    };
    process.on('SIGINT', interrupt);
    process.on('SIGTERM', interrupt);
    detach = () => {
      process.off('SIGINT', interrupt);
      process.off('SIGTERM', interrupt);
    };
  }
  try {
    await buildProgram(ctx).parseAsync(argv, { from: 'user' });
    return ctx.exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander already printed its message (or the help / version text).
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    const failure = describeFailure(error);
    io.stderr.write(`lightspeed: ${failure.message}\n`);
    if (failure.hint) io.stderr.write(`  hint: ${failure.hint}\n`);
    if (debug && error instanceof Error && error.stack) io.stderr.write(`${error.stack}\n`);
    return failure.exitCode;
  } finally {
    detach();
  }
}
