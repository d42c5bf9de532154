import { homedir } from 'node:os';
import { join } from 'node:path';
import { DELEGATED_USAGE_EFFECT } from '@lightspeed/engine';
import { defineTool, objectSchema, type ProviderTool } from '../surfaces/provider-tool.js';
import type { LogicalTool, ToolEnv, ToolResult } from '../tool-definition.js';
import { field, ToolInputError } from '../tool-input.js';
import { AGENT_CLIS, type AgentCliName, type DelegateConfig } from './delegate-config.js';
import type { DelegateStep } from './delegate-steps.js';
import { takePreDelegationSnapshot } from './pre-delegation-snapshot.js';
import { runDelegation, type DelegationOutcome } from './run-delegation.js';
import { changesBetween, readDirectoryState } from './workdir-changes.js';

export interface DelegateToolArgs {
  task: string;
  cli?: AgentCliName;
}

export interface DelegateToolOptions {
  /** The agent definition's `delegate` entries (parsed with `parseDelegateConfig`), at most one per CLI. */
  configs: DelegateConfig[];
  /** Deployment: each CLI's provider base URL (never in the log). */
  providerBaseUrl(cli: AgentCliName): string;
  /** The directory the CLI works in for this call (default: the session's host root). */
  workdirOf?(env: ToolEnv): string | undefined;
  credentialSource?: Record<string, string | undefined>;
  /** Where pre-delegation markers live (per deployment, like the command ledger). */
  checkpointDir?: string;
  /** The live sub-transcript: each step of the nested CLI as it streams. */
  onStep?(env: ToolEnv, step: DelegateStep): void;
  /** Told the CLI's process group id (tests, the console's process view). */
  onStarted?(env: ToolEnv, pgid: number): void;
}

export const MAX_DELEGATE_TASK_CHARS = 100_000;
const MAX_RESULT_DIFF_CHARS = 50_000;

export function parseDelegateArgs(raw: Record<string, unknown>): DelegateToolArgs {
  for (const key of Object.keys(raw)) if (key !== 'task' && key !== 'cli') throw new ToolInputError(`unknown argument \`${key}\` (delegate takes task and cli)`);
  const task = field.string(raw, 'task');
  if (task.trim() === '' || task.length > MAX_DELEGATE_TASK_CHARS) throw new ToolInputError(`\`task\` must be 1 to ${MAX_DELEGATE_TASK_CHARS} characters`);
  const cli = field.optionalEnum(raw, 'cli', AGENT_CLIS);
  return cli === undefined ? { task } : { task, cli };
}

function usageEffect(outcome: DelegationOutcome): NonNullable<ToolResult['effects']> {
  if (!outcome.usage) return [];
  const turns = outcome.steps.findLast((step) => step.type === 'finished');
  const data: Record<string, string> = {
    input: String(outcome.usage.input),
    cachedInput: String(outcome.usage.cachedInput),
    cacheWrite: String(outcome.usage.cacheWrite),
    output: String(outcome.usage.output),
    reasoning: String(outcome.usage.reasoning),
    calls: String(turns?.type === 'finished' && turns.turns !== undefined ? turns.turns : 1),
  };
  if (outcome.costUsd !== undefined) data.costUsd = String(outcome.costUsd);
  return [{ kind: DELEGATED_USAGE_EFFECT, data }];
}

/**
 * `delegate {task, cli?}`: hands a task to a coding-agent CLI working in this session's directory.
 * The result is the CLI's final message, the files it changed and their unified diff; the nested
 * transcript (its text, tool calls and results) is in the result's JSON and streams through
 * `onStep`; its reported usage is a `delegate.usage` effect the engine adds to the run's totals.
 */
export function delegateTool(options: DelegateToolOptions): LogicalTool<DelegateToolArgs> {
  const byCli = new Map(options.configs.map((config) => [config.cli, config]));
  const checkpointDir = options.checkpointDir ?? join(process.env.LIGHTSPEED_CACHE ?? join(homedir(), '.cache', 'lightspeed'), 'delegate-checkpoints');
  return {
    logical: 'delegate',
    // The CLI edits the shared directory: two at once would trample each other.
    parallelism: 'exclusive',
    async run(args, env) {
      const config = args.cli ? byCli.get(args.cli) : options.configs[0];
      if (!config) return { isError: true, json: { error: { code: 'refused', message: args.cli ? `this agent may not delegate to ${args.cli}; it may use ${[...byCli.keys()].join(', ') || 'none'}` : 'this agent has no delegate configuration' } } };
      const workdir = options.workdirOf?.(env) ?? env.host?.root.root;
      if (!workdir) return { isError: true, json: { error: { code: 'unavailable', message: 'delegate needs a working directory (a host environment) for this session' } } };
      const snapshot = await takePreDelegationSnapshot({ blobs: env.blobs, workdir, checkpointDir, key: `${env.sessionId}/${env.runId}/${env.batchId}/${env.callId}` });
      const outcome = await runDelegation({
        config,
        task: args.task,
        workdir,
        providerBaseUrl: options.providerBaseUrl(config.cli),
        ...(options.credentialSource ? { credentialSource: options.credentialSource } : {}),
        ...(env.signal ? { signal: env.signal } : {}),
        ...(options.onStep ? { onStep: (step: DelegateStep) => options.onStep!(env, step) } : {}),
        ...(options.onStarted ? { onStarted: (pgid: number) => options.onStarted!(env, pgid) } : {}),
      });
      const { changes, diff } = changesBetween(snapshot.before, await readDirectoryState(workdir));
      await snapshot.release();
      const shownDiff = diff.length > MAX_RESULT_DIFF_CHARS ? `${diff.slice(0, MAX_RESULT_DIFF_CHARS)}\n[diff truncated: ${diff.length - MAX_RESULT_DIFF_CHARS} more characters]` : diff;
      const json = {
        cli: config.cli,
        status: outcome.status,
        ...(outcome.reason ? { reason: outcome.reason } : {}),
        finalMessage: outcome.finalMessage,
        changes,
        diff: shownDiff,
        isolated: outcome.confinement !== 'none' && outcome.confinement !== 'host',
        ...(snapshot.restored ? { rerunFromSnapshot: true } : {}),
        ...(outcome.usage ? { usage: outcome.usage } : {}),
        transcript: outcome.steps,
      };
      return { isError: outcome.status !== 'completed', json, effects: usageEffect(outcome) };
    },
  };
}

/** `delegate` as every provider family sees it (one name and shape for both). */
export function delegateProviderTool(options: DelegateToolOptions): ProviderTool {
  const clis = options.configs.map((config) => config.cli);
  return defineTool<DelegateToolArgs>({
    name: 'delegate',
    description:
      `Hand a self-contained coding task to a coding agent (${clis.join(' or ')}) that works in this session's directory with its own tools. ` +
      'Returns its final message, the files it changed and their diff. Give it everything it needs to know in `task`.',
    inputSchema: objectSchema(
      {
        task: { type: 'string', description: 'The task, complete: goal, files, constraints, how to check the result.' },
        ...(clis.length > 1 ? { cli: { type: 'string', enum: clis, description: `Which agent (default ${clis[0]}).` } } : {}),
      },
      ['task'],
    ),
    tool: delegateTool(options),
    parse: (args) => parseDelegateArgs(args),
  });
}
