import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { LightspeedError } from '@lightspeed/ports';
import { AGENT_CLI_ADAPTERS, delegateStepStream, judgeDelegation, openProviderBridge, reportedBy, type DelegateConfig, type DelegateStep, type DelegationOutcome, type ProviderBridge } from '@lightspeed/tools';
import { MAX_OUTPUT_BYTES, type CommandResult, type Environment } from './environment.js';

export interface EnvironmentDelegationOptions {
  config: DelegateConfig;
  task: string;
  /** The model provider's base URL for this CLI (deployment config). */
  providerBaseUrl: string;
  signal?: AbortSignal;
  /** Idempotency, as for any environment command: a finished id answers its recorded result. */
  commandId?: string;
  /** Each step as the CLI streams it (the live sub-transcript), credentials redacted. Not called for a recorded result. */
  onStep?: (step: DelegateStep) => void;
}

export interface EnvironmentDelegationOutcome extends Omit<DelegationOutcome, 'confinement' | 'exitCode' | 'durationMs'> {
  /** The environment command that ran the CLI: its pre-snapshot, collected changes and diff (in CAS). */
  command: CommandResult;
}

/**
 * Runs a coding-agent CLI as one command of an environment (docs/0026): the environment
 * materialises the workspace, confines the command (bubblewrap: system read-only, no network),
 * records the pre-command snapshot before it starts, kills its namespace on timeout or cancel and
 * collects its changes as a snapshot and a diff. The delegation adds the CLI's launch (its config
 * and state under the environment's home) and, for `network: 'provider'`, the provider bridge's
 * Unix socket in that home, the one way out of the sandbox's empty network. Credentials are the
 * environment's own (`spec.credentials`), by name, redacted by it from every stored output.
 */
export async function delegateInEnvironment(environment: Environment, options: EnvironmentDelegationOptions): Promise<EnvironmentDelegationOutcome> {
  const { config } = options;
  const status = environment.status();
  const missing = config.credentialsEnv.filter((name) => !status.spec.credentials.includes(name));
  if (missing.length > 0) throw new LightspeedError('invalid', `delegate.credentialsEnv names ${missing.join(', ')}, which environment ${environment.id} does not carry as credentials`, { field: 'delegate.credentialsEnv', missing });
  if (config.network === 'host' && !status.spec.network) throw new LightspeedError('invalid', `delegate network "host" needs environment ${environment.id} to allow network`, { field: 'delegate.network' });
  if (config.network === 'provider' && status.spec.network) throw new LightspeedError('invalid', `delegate network "provider" needs environment ${environment.id} without network (it would not be confined)`, { field: 'delegate.network' });
  await environment.materialize();
  const adapter = AGENT_CLI_ADAPTERS[config.cli];
  const stateDir = join(environment.homeDir, `.${config.cli}-${options.commandId ?? 'run'}`);
  let bridge: ProviderBridge | undefined;
  try {
    if (config.network === 'provider') bridge = await openProviderBridge(options.providerBaseUrl, status.isolated ? 'enclosing' : undefined, { socketDir: environment.homeDir });
    const prepared = await adapter.prepare({ config, task: options.task, workdir: environment.workDir, stateDir, providerBaseUrl: bridge?.baseUrl ?? options.providerBaseUrl, credentials: {}, confined: bridge !== undefined && bridge.confinement !== 'none' });
    const { command, args } = bridge ? bridge.wrap(prepared.command, prepared.args) : prepared;
    // The environment redacts its credentials from each line before the stream sees it.
    let turnLimit: string | undefined;
    const stop = new AbortController();
    const stream = delegateStepStream(config, adapter, {
      redact: (text) => text,
      ...(options.onStep ? { onStep: options.onStep } : {}),
      onTurnLimit: (reason) => {
        turnLimit ??= reason;
        stop.abort();
      },
    });
    const signal = options.signal ? AbortSignal.any([options.signal, stop.signal]) : stop.signal;
    const result = await environment.run({
      argv: [command, ...args],
      env: prepared.env,
      timeoutMs: config.timeoutMs,
      maxOutputBytes: MAX_OUTPUT_BYTES,
      signal,
      ...(options.commandId ? { commandId: options.commandId } : {}),
      onStdoutLine: (line) => stream.line(line),
    });
    // A recorded result (the command id had finished) streamed nothing: its steps are read from its stored stdout.
    const steps: DelegateStep[] = stream.steps.length > 0 ? stream.steps : result.stdout.split('\n').flatMap(adapter.createParser());
    const judged = turnLimit
      ? { status: 'turn_limit' as const, reason: turnLimit }
      : result.cancelled
      ? { status: 'cancelled' as const, reason: `the ${config.cli} delegation was cancelled` }
      : result.timedOut
        ? { status: 'timed_out' as const, reason: `the ${config.cli} delegation ran out of time after ${config.timeoutMs} ms` }
        : judgeDelegation(config.cli, steps, result.exitCode, result.stderr);
    return { ...judged, ...reportedBy(steps), command: result };
  } finally {
    await bridge?.close();
    await rm(stateDir, { recursive: true, force: true });
  }
}
