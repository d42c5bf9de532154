import { createMethodHandlers } from '@lightspeed/api';
import { Dispatcher, type DispatcherLimits, type DispatcherOptions } from '@lightspeed/ops';
import { CliError } from '../cli-error.js';
import type { AgentStack } from './agent-stack.js';
import { stackServiceOptions, type StackServiceOptions } from './local-gateway.js';

export interface StackDispatchOptions extends DispatcherLimits, StackServiceOptions {
  /** The universes whose queues this dispatcher serves. */
  universes: readonly string[];
  /** Passed through to the dispatcher (tests and the bench shorten leases and polls). */
  tuning?: Pick<DispatcherOptions, 'leaseMs' | 'pollMs' | 'heartbeatMs' | 'onRunStarted' | 'onAttemptEnd' | 'id'>;
}

/**
 * A task dispatcher over a stack: its host runs the attempts, its SQL store holds the queue, the
 * pauses and the wake-up signal, and sessions are opened through the API's own `session/start`
 * (with the same service options as the stack's gateway). Started; stop it before closing the stack.
 */
export function startStackDispatcher(stack: AgentStack, options: StackDispatchOptions): Dispatcher {
  const sql = stack.sql;
  if (!sql) throw new CliError('task dispatch needs the SQL store: in-memory storage (--data-dir :memory:) has no task queue', 2, 'use a data directory or LIGHTSPEED_POSTGRES_URL, or pass --no-dispatch');
  const { taskSessions } = createMethodHandlers(stack.host, stackServiceOptions(stack, options));
  const log = options.log;
  const dispatcher = new Dispatcher({
    host: stack.host,
    tasks: (universe) => sql.tasks(universe),
    controls: (universe) => sql.dispatch(universe),
    signal: sql.taskSignal,
    sessions: taskSessions,
    ...(stack.environments ? { environments: (universe: string) => stack.environments!.of(universe) } : {}),
    universes: options.universes,
    ...(options.maxInFlight !== undefined ? { maxInFlight: options.maxInFlight } : {}),
    ...(options.maxRunningPerKey !== undefined ? { maxRunningPerKey: options.maxRunningPerKey } : {}),
    ...(options.maxRunningPerAgent ? { maxRunningPerAgent: options.maxRunningPerAgent } : {}),
    ...(options.agents ? { agents: options.agents } : {}),
    // PGlite has no autovacuum: vacuum the task tables when the queue goes idle (a no-op on PostgreSQL).
    idle: () => sql.vacuumTasks(),
    ...(log ? { onError: (error: unknown, where: string) => log(`[lightspeed] dispatcher: ${where}: ${error instanceof Error ? error.message : String(error)}`) } : {}),
    ...options.tuning,
  });
  dispatcher.start();
  return dispatcher;
}
