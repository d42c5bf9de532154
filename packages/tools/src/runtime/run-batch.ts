import type { ToolCallOutcome, ToolInvocation } from '@lightspeed/engine';
import type { ToolCallContext } from '@lightspeed/ports';

export interface BatchOptions {
  /** Parallel-safe calls run at most this many at a time. */
  concurrency?: number;
  /** Called as each call finishes, in completion order (the driver appends each on its own). */
  onFinished?: (call: ToolInvocation, outcome: ToolCallOutcome) => void | Promise<void>;
}

/**
 * Runs a batch in order with bounded concurrency: consecutive parallel-safe calls overlap, an
 * exclusive call waits for everything before it and runs alone. Outcomes are returned in call
 * order; each is also reported through `onFinished` the moment it completes.
 */
export async function runBatch(
  calls: readonly ToolInvocation[],
  invoke: (call: ToolInvocation, context: ToolCallContext) => Promise<ToolCallOutcome>,
  context: ToolCallContext,
  options: BatchOptions = {},
): Promise<ToolCallOutcome[]> {
  const concurrency = Math.max(1, options.concurrency ?? 4);
  const outcomes: ToolCallOutcome[] = new Array(calls.length);
  const runOne = async (index: number): Promise<void> => {
    const call = calls[index]!;
    const outcome = await invoke(call, context);
    outcomes[index] = outcome;
    await options.onFinished?.(call, outcome);
  };
  let i = 0;
  while (i < calls.length) {
    if (calls[i]!.parallelism === 'exclusive') {
      await runOne(i);
      i += 1;
      continue;
    }
    const group: number[] = [];
    while (i < calls.length && calls[i]!.parallelism !== 'exclusive') group.push(i++);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < group.length) await runOne(group[next++]!);
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, group.length) }, worker));
  }
  return outcomes;
}
