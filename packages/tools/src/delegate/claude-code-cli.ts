import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { baseEnv, type AgentCliAdapter } from './agent-cli.js';
import { agentCliBinary } from './agent-cli-binaries.js';
import { isRecord, jsonLine, numberOr0, type DelegateStep, type StepParser } from './delegate-steps.js';

/**
 * Claude Code in print mode: `claude -p <task> --output-format stream-json --verbose`, pointed at
 * the provider through `ANTHROPIC_BASE_URL`, with everything non-essential (telemetry, error
 * reports, auto-update, feedback surveys) off so the provider is the only peer it talks to.
 */
export const claudeCodeCli: AgentCliAdapter = {
  name: 'claude-code',
  async prepare(launch) {
    const configDir = join(launch.stateDir, '.claude');
    await mkdir(configDir, { recursive: true });
    const args = ['-p', launch.task, '--output-format', 'stream-json', '--verbose', '--model', launch.config.model, '--max-turns', String(launch.config.maxTurns)];
    // Edits inside the environment need no prompt (nobody could answer one in print mode).
    args.push('--permission-mode', 'acceptEdits');
    if (launch.config.allowedTools) args.push('--allowedTools', launch.config.allowedTools.join(','));
    return {
      command: agentCliBinary('claude-code'),
      args,
      env: baseEnv(launch.stateDir, {
        ...launch.credentials,
        ANTHROPIC_BASE_URL: launch.providerBaseUrl,
        CLAUDE_CONFIG_DIR: configDir,
        CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
        DISABLE_AUTOUPDATER: '1',
        DISABLE_TELEMETRY: '1',
        DISABLE_ERROR_REPORTING: '1',
        DISABLE_BUG_COMMAND: '1',
        CLAUDE_CODE_DISABLE_FEEDBACK_SURVEY: '1',
        CLAUDE_CODE_DISABLE_AUTO_MEMORY: '1',
      }),
    };
  },
  createParser: () => parseClaudeCodeLine,
};

function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content.map((part) => (isRecord(part) && typeof part.text === 'string' ? part.text : '')).join('');
}

/** One stream-json line: `system` init, `assistant`/`user` messages, the closing `result`. */
export const parseClaudeCodeLine: StepParser = (line) => {
  const event = jsonLine(line);
  if (!event) return [];
  if (event.type === 'system' && event.subtype === 'init') {
    return [{ type: 'started', cli: 'claude-code', ...(typeof event.session_id === 'string' ? { sessionId: event.session_id } : {}), ...(typeof event.model === 'string' ? { model: event.model } : {}) }];
  }
  const message = isRecord(event.message) ? event.message : undefined;
  if ((event.type === 'assistant' || event.type === 'user') && message && Array.isArray(message.content)) {
    const steps: DelegateStep[] = [];
    for (const block of message.content as unknown[]) {
      if (!isRecord(block)) continue;
      if (block.type === 'text' && typeof block.text === 'string' && event.type === 'assistant') steps.push({ type: 'text', text: block.text });
      else if (block.type === 'thinking' && typeof block.thinking === 'string') steps.push({ type: 'reasoning', text: block.thinking });
      else if (block.type === 'tool_use') steps.push({ type: 'tool_call', id: String(block.id), name: String(block.name), input: block.input ?? {} });
      else if (block.type === 'tool_result') steps.push({ type: 'tool_result', id: String(block.tool_use_id), output: contentText(block.content), isError: block.is_error === true });
    }
    return steps;
  }
  if (event.type === 'result') {
    const usage = isRecord(event.usage) ? event.usage : {};
    return [
      {
        type: 'finished',
        ok: event.is_error !== true && event.subtype === 'success',
        ...(typeof event.result === 'string' ? { result: event.result } : {}),
        ...(typeof event.num_turns === 'number' ? { turns: event.num_turns } : {}),
        usage: {
          input: numberOr0(usage.input_tokens),
          cachedInput: numberOr0(usage.cache_read_input_tokens),
          cacheWrite: numberOr0(usage.cache_creation_input_tokens),
          output: numberOr0(usage.output_tokens),
          reasoning: isRecord(usage.output_tokens_details) ? numberOr0(usage.output_tokens_details.thinking_tokens) : 0,
        },
        ...(typeof event.total_cost_usd === 'number' ? { costUsd: event.total_cost_usd } : {}),
      },
    ];
  }
  return [];
};
