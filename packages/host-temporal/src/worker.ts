import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode, DefaultLogger, GracefulShutdownPeriodExpiredError, Runtime, Worker, type Logger, type NativeConnection, type WorkflowBundle, type WorkflowBundleOption } from '@temporalio/worker';
import type { Client } from '@temporalio/client';
import { sessionDirectoryOf } from '@lightspeed/driver';
import { createActivities, type ActivityDeps } from './activities.js';
import { TemporalAgentHost } from './temporal-agent-host.js';

export interface TemporalWorkerOptions extends ActivityDeps {
  connection: NativeConnection;
  namespace?: string;
  taskQueue: string;
  /** A pre-built bundle of the session workflow (tests bundle once); otherwise it is bundled on start. */
  workflowBundle?: WorkflowBundleOption;
  /** Give up on a graceful shutdown after this long (effects that ignore cancellation are abandoned). */
  shutdownForceTime?: string;
  /** For the workflow bundler (webpack prints its build report at INFO). */
  logger?: Logger;
  /**
   * A client of the same namespace: activities reach other sessions' workflows with it (sub-agent
   * tools, owed deliveries) through the same update-with-start the gateway uses.
   */
  client?: Client;
}

let runtimeInstalled = false;

/**
 * Installs the SDK runtime with a logger that prints warnings and errors only (the SDK's default
 * logs every worker state change and the bundle report). Once per process; a no-op when the
 * process already installed one.
 */
export function installTemporalRuntime(level: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' = 'WARN'): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  try {
    Runtime.install({ logger: new DefaultLogger(level) });
  } catch {
    // Installed already (by the embedding application or a test): keep theirs.
  }
}

export interface TemporalWorker {
  readonly worker: Worker;
  /** Settles when the worker stopped. */
  readonly running: Promise<void>;
  shutdown(): Promise<void>;
}

/** The workflow source next to this module: `.ts` under the source condition, `.js` when built. */
export function sessionWorkflowPath(): string {
  const here = fileURLToPath(import.meta.url);
  const ts = join(dirname(here), 'session-workflow.ts');
  return here.endsWith('.ts') && existsSync(ts) ? ts : join(dirname(here), 'session-workflow.js');
}

/** Bundles the session workflow for the sandbox (webpack; a few seconds, do it once per process). */
export function bundleSessionWorkflow(logger?: Logger): Promise<WorkflowBundle> {
  const workflowsPath = sessionWorkflowPath();
  const fromSource = workflowsPath.endsWith('.ts');
  return bundleWorkflowCode({
    workflowsPath,
    ...(logger ? { logger } : {}),
    // From sources, workspace packages resolve to their TypeScript through the `lightspeed-src` condition.
    ...(fromSource
      ? {
          webpackConfigHook: (config) => {
            const resolve = (config.resolve ??= {});
            resolve.conditionNames = ['lightspeed-src', ...(resolve.conditionNames ?? ['import', 'module', 'require', 'default'])];
            return config;
          },
        }
      : {}),
  });
}

/** Other sessions through `client` (one gateway-side host, shared by every activity of the worker). */
function directoryOver(options: TemporalWorkerOptions): ActivityDeps['sessions'] {
  if (!options.client) return undefined;
  const host = new TemporalAgentHost({ client: options.client, taskQueue: options.taskQueue, stores: options.stores, ...(options.llm ? { llm: options.llm } : {}) });
  return (universe) => sessionDirectoryOf(host, universe);
}

/** Starts a worker polling `taskQueue` for session workflows and their activities. */
export async function startTemporalWorker(options: TemporalWorkerOptions): Promise<TemporalWorker> {
  const sessions = options.sessions ?? directoryOver(options);
  const { states: _states, ...activities } = createActivities(sessions ? { ...options, sessions } : options);
  void _states;
  const worker = await Worker.create({
    connection: options.connection,
    namespace: options.namespace ?? 'default',
    taskQueue: options.taskQueue,
    workflowBundle: options.workflowBundle ?? (await bundleSessionWorkflow(options.logger)),
    activities,
    // Cancellation reaches an activity in a heartbeat's answer: keep heartbeats frequent so a
    // cancelled run stops streaming within a fraction of a second.
    maxHeartbeatThrottleInterval: '100ms',
    defaultHeartbeatThrottleInterval: '100ms',
    shutdownGraceTime: '100ms',
    shutdownForceTime: options.shutdownForceTime ?? '3s',
    // After a crash the server reroutes a dead worker's sticky workflow tasks after this long.
    stickyQueueScheduleToStartTimeout: '2s',
  });
  const running = worker.run().catch((error: unknown) => {
    if (!(error instanceof GracefulShutdownPeriodExpiredError)) throw error;
  });
  return {
    worker,
    running,
    async shutdown() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
    },
  };
}
