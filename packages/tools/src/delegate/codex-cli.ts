import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { LightspeedError } from '@lightspeed/ports';
import { baseEnv, type AgentCliAdapter } from './agent-cli.js';
import { agentCliBinary } from './agent-cli-binaries.js';
import { isRecord, jsonLine, numberOr0, type DelegateStep, type StepParser } from './delegate-steps.js';

/** TOML basic strings take JSON's escapes. */
const toml = (value: string): string => JSON.stringify(value);

/**
 * Codex non-interactive: `codex exec --json <task>`, with a private `CODEX_HOME` whose config.toml
 * defines one model provider (the Responses wire at our base URL, its key from the first name of
 * `credentialsEnv`) and turns analytics and update checks off. Codex's own sandbox (workspace-write)
 * stays on inside our environment.
 */
export const codexCli: AgentCliAdapter = {
  name: 'codex',
  async prepare(launch) {
    const keyEnv = launch.config.credentialsEnv[0];
    if (keyEnv === undefined) {
      throw new LightspeedError('invalid', 'invalid delegate config: delegate.credentialsEnv must name the env var holding the provider key for cli codex (its first entry becomes the provider env_key)', { field: 'delegate.credentialsEnv' });
    }
    const home = join(launch.stateDir, 'codex-home');
    await mkdir(home, { recursive: true });
    const config = [
      `model = ${toml(launch.config.model)}`,
      'model_provider = "lightspeed"',
      'check_for_update_on_startup = false',
      '',
      '[analytics]',
      'enabled = false',
      '',
      '[model_providers.lightspeed]',
      'name = "Lightspeed delegate provider"',
      `base_url = ${toml(launch.providerBaseUrl)}`,
      'wire_api = "responses"',
      `env_key = ${toml(keyEnv)}`,
      '',
    ].join('\n');
    await writeFile(join(home, 'config.toml'), config, { mode: 0o600 });
    const binary = agentCliBinary('codex');
    // The npm wrapper puts its bundled ripgrep on PATH; we call the native binary, so we do it.
    const bundledPath = join(dirname(dirname(binary)), 'codex-path');
    const args = ['exec', '--json', '--skip-git-repo-check', '--sandbox', 'workspace-write', '--cd', launch.workdir, '--model', launch.config.model, launch.task];
    const env = baseEnv(launch.stateDir, { ...launch.credentials, CODEX_HOME: home });
    env.PATH = `${bundledPath}:${env.PATH}`;
    return { command: binary, args, env };
  },
  createParser: createCodexParser,
};

function itemCall(item: Record<string, unknown>): { name: string; input: unknown } | undefined {
  switch (item.type) {
    case 'command_execution':
      return { name: 'shell', input: { command: item.command } };
    case 'file_change':
      return { name: 'apply_patch', input: { changes: item.changes } };
    case 'mcp_tool_call':
      return { name: `${String(item.server)}.${String(item.tool)}`, input: item.arguments ?? {} };
    case 'web_search':
      return { name: 'web_search', input: { query: item.query } };
    default:
      return undefined;
  }
}

function itemOutput(item: Record<string, unknown>): { output: string; isError: boolean } {
  if (item.type === 'command_execution') {
    const exit = item.exit_code;
    return { output: `${typeof item.aggregated_output === 'string' ? item.aggregated_output : ''}${typeof exit === 'number' ? `\n(exit ${exit})` : ''}`.trimStart(), isError: item.status === 'failed' || (typeof exit === 'number' && exit !== 0) };
  }
  if (item.type === 'file_change') {
    const changes = Array.isArray(item.changes) ? item.changes.filter(isRecord).map((change) => `${String(change.kind)} ${String(change.path)}`) : [];
    return { output: changes.join('\n'), isError: item.status === 'failed' };
  }
  return { output: JSON.stringify(item.result ?? item.error ?? item.status ?? ''), isError: item.status === 'failed' };
}

/**
 * `codex exec --json` lines: `thread.started`, `item.started` / `item.completed` of typed items
 * (agent_message, reasoning, command_execution, file_change, mcp_tool_call, web_search, error),
 * `turn.completed` with usage, `turn.failed`. A tool item's call is its start (or its completion
 * when it arrives complete) and its result the completion.
 */
export function createCodexParser(): StepParser {
  const started = new Set<string>();
  let lastMessage: string | undefined;
  return (line) => {
    const event = jsonLine(line);
    if (!event) return [];
    if (event.type === 'thread.started') return [{ type: 'started', cli: 'codex', ...(typeof event.thread_id === 'string' ? { sessionId: event.thread_id } : {}) }];
    if ((event.type === 'item.started' || event.type === 'item.completed') && isRecord(event.item)) {
      const item = event.item;
      const id = String(item.id);
      const steps: DelegateStep[] = [];
      const call = itemCall(item);
      if (call && !started.has(id)) {
        started.add(id);
        steps.push({ type: 'tool_call', id, ...call });
      }
      if (event.type === 'item.completed') {
        if (call) steps.push({ type: 'tool_result', id, ...itemOutput(item) });
        else if (item.type === 'agent_message' && typeof item.text === 'string') {
          lastMessage = item.text;
          steps.push({ type: 'text', text: item.text });
        } else if (item.type === 'reasoning' && typeof item.text === 'string') steps.push({ type: 'reasoning', text: item.text });
        else if (item.type === 'error' && typeof item.message === 'string') steps.push({ type: 'notice', text: item.message });
      }
      return steps;
    }
    if (event.type === 'turn.completed') {
      const usage = isRecord(event.usage) ? event.usage : {};
      return [
        {
          type: 'finished',
          ok: true,
          ...(lastMessage !== undefined ? { result: lastMessage } : {}),
          usage: {
            input: numberOr0(usage.input_tokens),
            cachedInput: numberOr0(usage.cached_input_tokens),
            cacheWrite: numberOr0(usage.cache_write_input_tokens),
            output: numberOr0(usage.output_tokens),
            reasoning: numberOr0(usage.reasoning_output_tokens),
          },
        },
      ];
    }
    if (event.type === 'turn.failed' || event.type === 'error') {
      const error = isRecord(event.error) ? event.error : event;
      return [{ type: 'finished', ok: false, result: typeof error.message === 'string' ? error.message : 'codex reported a failure' }];
    }
    return [];
  };
}
