import { CliError, EXIT } from '../cli-error.js';
import { RpcError } from '../client/rpc-client.js';
import type { ChatSettings } from './chat-settings.js';

/**
 * A server's refusal of what a chat flag asked for, restated in terms of the flag with what to do
 * next. The server's message is kept (it names the model or the policy); anything else passes
 * through unchanged.
 */
export function explainRefusal(error: unknown, settings: ChatSettings): unknown {
  if (!(error instanceof RpcError)) return error;
  const reason = error.message;
  if (error.kind === 'invalid_request' && /costBudgetUsd: .*has no price/.test(reason)) {
    const flag = settings.budgetUsd !== undefined ? '--budget-usd' : 'the cost budget (limits.costBudgetUsd)';
    return new CliError(
      `${flag} cannot apply: ${reason}`,
      EXIT.usage,
      settings.budgetUsd !== undefined ? 'choose a model with prices (--provider openai or anthropic), give this one a price override on the server, or leave out --budget-usd' : 'remove limits.costBudgetUsd from the agent, or choose a model with prices',
    );
  }
  if (error.kind === 'rejected' && /features\.host is disabled on this server/.test(reason)) {
    const hint = settings.host
      ? 'host tools are the server\'s choice: start it with `lightspeed serve --allow-host-tools` (single-user servers only), or chat without --api-url'
      : 'the agent asks for host tools (tools.host): grant them with --host-dir DIR (and --exec for commands); a server at --api-url must also run with `lightspeed serve --allow-host-tools`';
    return new CliError(`host tools refused: ${reason}`, EXIT.usage, hint);
  }
  return error;
}

/** Which flag set the run limit a failed run names (`limits.maxTurns`, `limits.costBudgetUsd`), to say so. */
export function limitFlagHint(runError: string | undefined, settings: ChatSettings): string | undefined {
  if (runError === undefined) return undefined;
  if (settings.maxTurns !== undefined && runError.includes('of limits.maxTurns =')) return `--max-turns ${settings.maxTurns} set this limit; raise it to continue`;
  if (settings.budgetUsd !== undefined && runError.includes('of limits.costBudgetUsd =')) return `--budget-usd ${settings.budgetUsd} set this limit; raise it to continue`;
  return undefined;
}
