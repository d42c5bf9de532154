import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { isReasoningEffort, REASONING_EFFORTS } from '@lightspeed/llm';
import { usageError } from '../cli-error.js';

/**
 * What `chat --instructions/--reasoning-effort/--max-turns/--budget-usd/--host-dir/--exec` ask of
 * the session, validated at the CLI boundary (so a typo never reaches a server). Each maps to one
 * member of the session config document (or, for instructions, the profile instructions entry):
 * the same members an agent file's `generation.reasoningEffort`, `limits.maxTurns`,
 * `limits.costBudgetUsd` and `tools.host` set, which is how the flags override an agent's values.
 */
export interface ChatSettings {
  /** The session's instructions (text of `--instructions FILE`). */
  instructions?: string;
  /** `generation.reasoningEffort`. */
  reasoningEffort?: string;
  /** `limits.maxTurns`: per run. */
  maxTurns?: number;
  /** `limits.costBudgetUsd`: per run; the server refuses it on a model without prices. */
  budgetUsd?: number;
  /** `features.host`: an absolute directory with the file tools, and `exec` only when asked. */
  host?: { root: string; exec: boolean };
  /** `features.askUser`: the agent may ask questions (the chat takes the answer). */
  askUser?: boolean;
  /** `features.timers`: the agent may `sleep` / `wait_until`. */
  timers?: boolean;
  /** `approvals.rules` with policy ask, ahead of an agent's rules: these tools wait for your approval. */
  askBefore?: string[];
}

export interface ChatSettingFlags {
  instructions?: string;
  reasoningEffort?: string;
  maxTurns?: string;
  budgetUsd?: string;
  hostDir?: string;
  exec?: boolean;
  askUser?: boolean;
  timers?: boolean;
  askBefore?: string[];
}

/**
 * Reads and checks the flags. `cwd` resolves relative paths; `localServer` says whether the host
 * directory is on this machine (an in-process server), so it can be checked here; a remote
 * server's directory is the server's to check.
 */
export async function parseChatSettings(flags: ChatSettingFlags, cwd: string, localServer: boolean): Promise<ChatSettings> {
  const settings: ChatSettings = {};
  if (flags.instructions !== undefined) settings.instructions = await readInstructions(resolve(cwd, flags.instructions), flags.instructions);
  if (flags.reasoningEffort !== undefined) {
    if (!isReasoningEffort(flags.reasoningEffort)) throw usageError(`--reasoning-effort must be one of ${REASONING_EFFORTS.join(', ')}, got "${flags.reasoningEffort}"`);
    settings.reasoningEffort = flags.reasoningEffort;
  }
  if (flags.maxTurns !== undefined) {
    const turns = Number(flags.maxTurns);
    if (!/^\d+$/.test(flags.maxTurns) || !Number.isSafeInteger(turns) || turns < 1) throw usageError(`--max-turns must be a whole number of at least 1, got "${flags.maxTurns}"`);
    settings.maxTurns = turns;
  }
  if (flags.budgetUsd !== undefined) {
    const usd = Number(flags.budgetUsd);
    if (!/^\d*\.?\d+$/.test(flags.budgetUsd) || !Number.isFinite(usd) || usd <= 0) throw usageError(`--budget-usd must be a positive number of US dollars such as 0.50, got "${flags.budgetUsd}"`);
    settings.budgetUsd = usd;
  }
  if (flags.askUser) settings.askUser = true;
  if (flags.timers) settings.timers = true;
  if (flags.askBefore?.length) {
    const bad = flags.askBefore.find((tool) => tool.trim() === '' || tool.length > 256);
    if (bad !== undefined) throw usageError(`--ask-before takes a tool name or pattern such as shell_command or mcp__github__*, got "${bad}"`);
    settings.askBefore = flags.askBefore;
  }
  if (flags.exec && flags.hostDir === undefined) throw usageError('--exec needs --host-dir DIR: commands run in that directory');
  if (flags.hostDir !== undefined) {
    const root = resolve(cwd, flags.hostDir);
    if (localServer) await checkDirectory(root, flags.hostDir);
    settings.host = { root, exec: flags.exec === true };
  }
  return settings;
}

async function readInstructions(path: string, given: string): Promise<string> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : (error as Error).message;
    throw usageError(`--instructions ${given}: cannot read ${path}: ${why}`, 'pass a text file holding the instructions, e.g. --instructions AGENTS.md');
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw usageError(`--instructions ${given}: ${path} is not UTF-8 text`);
  }
  // An empty file is almost always a mistake (a wrong path to a placeholder): no instructions at all
  // is what omitting the flag gives.
  if (text.trim() === '') throw usageError(`--instructions ${given}: ${path} is empty`, 'write the instructions into the file, or leave out --instructions');
  return text;
}

async function checkDirectory(path: string, given: string): Promise<void> {
  const found = await stat(path).catch(() => undefined);
  if (!found) throw usageError(`--host-dir ${given}: ${path} does not exist`);
  if (!found.isDirectory()) throw usageError(`--host-dir ${given}: ${path} is not a directory`);
}

