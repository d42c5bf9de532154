import type { AgentCliAdapter } from './agent-cli.js';
import type { DelegateConfig } from './delegate-config.js';
import type { DelegateStep } from './delegate-steps.js';

export interface DelegateStepStream {
  /** The steps so far, credentials redacted. */
  readonly steps: DelegateStep[];
  /** One line of the CLI's stdout. */
  line(line: string): void;
}

/**
 * The CLI's stdout, line by line, into the sub-transcript — one reader for a delegation on the
 * host directory and one in an environment: each step redacted, told to `onStep` live, and
 * Codex's turns counted (it has no turn flag: each tool round is a model turn, so their count is
 * the limit's; `onTurnLimit` stops the CLI).
 */
export function delegateStepStream(
  config: DelegateConfig,
  adapter: AgentCliAdapter,
  options: { redact: (text: string) => string; onStep?: (step: DelegateStep) => void; onTurnLimit: (reason: string) => void },
): DelegateStepStream {
  const parse = adapter.createParser();
  const steps: DelegateStep[] = [];
  let toolCalls = 0;
  return {
    steps,
    line(line) {
      for (const step of parse(line)) {
        const clean = JSON.parse(options.redact(JSON.stringify(step))) as DelegateStep;
        steps.push(clean);
        options.onStep?.(clean);
        if (clean.type === 'tool_call' && ++toolCalls >= config.maxTurns && config.cli === 'codex') options.onTurnLimit(`the ${config.cli} delegation reached its limit of ${config.maxTurns} turns`);
      }
    },
  };
}
