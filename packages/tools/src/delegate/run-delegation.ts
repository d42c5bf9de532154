import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { LightspeedError } from '@lightspeed/ports';
import type { AgentCliAdapter } from './agent-cli.js';
import { claudeCodeCli } from './claude-code-cli.js';
import { codexCli } from './codex-cli.js';
import type { AgentCliName, DelegateConfig } from './delegate-config.js';
import { delegateStepStream } from './delegate-step-stream.js';
import { finalMessageOf, type DelegateStep, type DelegateUsage } from './delegate-steps.js';
import { openProviderBridge, type NetworkConfinement } from './provider-bridge.js';

export const AGENT_CLI_ADAPTERS: Record<AgentCliName, AgentCliAdapter> = { 'claude-code': claudeCodeCli, codex: codexCli };

export interface DelegationOptions {
  config: DelegateConfig;
  task: string;
  /** The directory the CLI works in (the environment's materialised workspace). */
  workdir: string;
  /** The model provider's base URL for this CLI (Anthropic base for Claude Code, `…/v1` for Codex). */
  providerBaseUrl: string;
  /** Where credential values are read from, by the names `config.credentialsEnv` lists. */
  credentialSource?: Record<string, string | undefined>;
  signal?: AbortSignal;
  /** Each step as it streams (the live sub-transcript). */
  onStep?: (step: DelegateStep) => void;
  /** Told the CLI's process group id once it runs (tests check it is gone after a cancel). */
  onStarted?: (pgid: number) => void;
  /** Parent of the CLI's private state directory. Not under the temp dir: Codex refuses its sandbox helpers there. */
  stateRoot?: string;
  killGraceMs?: number;
}

export type DelegationStatus = 'completed' | 'failed' | 'timed_out' | 'cancelled' | 'turn_limit';

export interface DelegationOutcome {
  status: DelegationStatus;
  /** Why, when not completed (bounded, credentials redacted). */
  reason?: string;
  steps: DelegateStep[];
  finalMessage: string;
  usage?: DelegateUsage;
  costUsd?: number;
  exitCode: number | null;
  confinement: NetworkConfinement | 'host';
  durationMs: number;
}

const STDERR_TAIL = 4000;

function redactor(values: string[]): (text: string) => string {
  const secrets = values.filter((value) => value.length >= 4);
  return (text) => secrets.reduce((out, secret) => out.split(secret).join('[redacted]'), text);
}

/**
 * Runs one delegated task: the CLI in its own process group (killed whole on timeout, cancel,
 * turn limit and at the end, so nothing it started outlives the call), its stdout read line by
 * line into steps. Credential values never reach a step or a reason (redacted).
 */
export async function runDelegation(options: DelegationOptions): Promise<DelegationOutcome> {
  const started = Date.now();
  const { config } = options;
  const adapter = AGENT_CLI_ADAPTERS[config.cli];
  const source = options.credentialSource ?? process.env;
  const credentials: Record<string, string> = {};
  for (const name of config.credentialsEnv) {
    const value = source[name];
    if (value === undefined || value === '') throw new LightspeedError('invalid', `delegate.credentialsEnv names ${name}, which is not set for the ${config.cli} delegation`, { field: 'delegate.credentialsEnv', name });
    credentials[name] = value;
  }
  const redact = redactor(Object.values(credentials));
  const stateRoot = options.stateRoot ?? join(process.env.LIGHTSPEED_CACHE ?? join(homedir(), '.cache', 'lightspeed'), 'delegate-state');
  await mkdir(stateRoot, { recursive: true });
  const stateDir = await mkdtemp(join(stateRoot, `${config.cli}-`));
  const bridge = config.network === 'provider' ? await openProviderBridge(options.providerBaseUrl) : undefined;
  try {
    const prepared = await adapter.prepare({ config, task: options.task, workdir: options.workdir, stateDir, providerBaseUrl: bridge?.baseUrl ?? options.providerBaseUrl, credentials, confined: bridge !== undefined && bridge.confinement !== 'none' });
    const { command, args } = bridge ? bridge.wrap(prepared.command, prepared.args) : prepared;
    const child = spawn(command, args, { cwd: options.workdir, env: prepared.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let stopped: { status: DelegationStatus; reason: string } | undefined;
    let stderr = '';
    const killGroup = (signal: NodeJS.Signals): void => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, signal);
      } catch {
        // Already gone.
      }
    };
    const stop = (status: DelegationStatus, reason: string): void => {
      if (stopped) return;
      stopped = { status, reason };
      killGroup('SIGTERM');
      setTimeout(() => killGroup('SIGKILL'), options.killGraceMs ?? 1000).unref();
    };
    const stream = delegateStepStream(config, adapter, { redact, ...(options.onStep ? { onStep: options.onStep } : {}), onTurnLimit: (reason) => stop('turn_limit', reason) });
    const { steps } = stream;
    const lines = createInterface({ input: child.stdout });
    const linesClosed = new Promise<void>((resolve) => lines.once('close', () => resolve()));
    lines.on('line', (line) => stream.line(line));
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-STDERR_TAIL);
    });
    const timer = setTimeout(() => stop('timed_out', `the ${config.cli} delegation ran out of time after ${config.timeoutMs} ms`), config.timeoutMs);
    const onAbort = (): void => stop('cancelled', `the ${config.cli} delegation was cancelled`);
    if (options.signal?.aborted) onAbort();
    else options.signal?.addEventListener('abort', onAbort, { once: true });
    if (child.pid !== undefined) options.onStarted?.(child.pid);
    const exitCode = await new Promise<number | null>((resolve) => {
      child.on('error', (error) => {
        stderr += `\ncannot start ${command}: ${error.message}`;
        resolve(null);
      });
      child.on('close', (code) => resolve(code));
    });
    await linesClosed;
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
    // Whatever the CLI left behind in its group (a background job) goes with it.
    killGroup('SIGKILL');
    const judged = stopped ?? judgeDelegation(config.cli, steps, exitCode, redact(stderr));
    return { ...judged, ...reportedBy(steps), exitCode, confinement: bridge ? bridge.confinement : 'host', durationMs: Date.now() - started };
  } finally {
    await bridge?.close();
    await rm(stateDir, { recursive: true, force: true });
  }
}

/** How a CLI run that was not stopped by us ended: its exit status and its own closing verdict. */
export function judgeDelegation(cli: AgentCliName, steps: readonly DelegateStep[], exitCode: number | null, stderrTail: string): { status: DelegationStatus; reason?: string } {
  const finished = steps.findLast((step) => step.type === 'finished');
  if (exitCode === 0 && finished?.type === 'finished' && finished.ok) return { status: 'completed' };
  const why = finished?.type === 'finished' && !finished.ok ? finished.result : undefined;
  return { status: 'failed', reason: why ?? `the ${cli} CLI exited with ${exitCode ?? 'no status'}: ${stderrTail.trim().slice(-500)}` };
}

/** What the transcript itself reports: the final message, usage and cost. */
export function reportedBy(steps: DelegateStep[]): Pick<DelegationOutcome, 'steps' | 'finalMessage' | 'usage' | 'costUsd'> {
  const finished = steps.findLast((step) => step.type === 'finished');
  return {
    steps,
    finalMessage: finalMessageOf(steps),
    ...(finished?.type === 'finished' && finished.usage ? { usage: finished.usage } : {}),
    ...(finished?.type === 'finished' && finished.costUsd !== undefined ? { costUsd: finished.costUsd } : {}),
  };
}
