import type { ToolInvocation } from './tool.js';

/**
 * Splits a batch's calls into execution groups, in order: consecutive parallel-safe calls form one
 * concurrent group (bounded by `concurrency`), an exclusive call runs alone. Order between groups is
 * preserved so an exclusive write never races a read the model issued before it.
 */
export function scheduleToolCalls(calls: readonly ToolInvocation[], concurrency: number): ToolInvocation[][] {
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
