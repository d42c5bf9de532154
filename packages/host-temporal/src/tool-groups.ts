import type { ToolInvocation } from '@lightspeed/engine';

/**
 * The driver's tool scheduling (`scheduleToolCalls`), restated here because the workflow sandbox may
 * import only the pure engine: consecutive parallel-safe calls form one concurrent group (bounded by
 * `concurrency`), an exclusive call runs alone, and group order follows the model's order.
 */
export function groupToolCalls(calls: readonly ToolInvocation[], concurrency: number): ToolInvocation[][] {
  const groups: ToolInvocation[][] = [];
  let current: ToolInvocation[] = [];
  for (const call of calls) {
    if (call.parallelism === 'exclusive') {
      if (current.length) groups.push(current);
      groups.push([call]);
      current = [];
      continue;
    }
    current.push(call);
    if (current.length >= Math.max(1, concurrency)) {
      groups.push(current);
      current = [];
    }
  }
  if (current.length) groups.push(current);
  return groups;
}
