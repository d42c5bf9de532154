// A tool runtime the crash test controls: `step` (exclusive) finishes after an optional delay and
// notes `start <callId>` / `end <callId>` in a journal file outside the store, so executions are
// counted across process deaths.
import { appendFileSync } from 'node:fs';
import { putJson, putText } from '@lightspeed/cas';
import type { ToolPortFactory } from '@lightspeed/driver';
import type { ToolCallOutcome } from '@lightspeed/engine';

export function controlTools(options: { journal: string; stepDelayMs?: number }): ToolPortFactory {
  const note = (line: string) => appendFileSync(options.journal, `${line}\n`);
  return ({ blobs }) => ({
    async resolve() {
      return [{ name: 'step', parallelism: 'exclusive' as const, definitionRef: await putJson(blobs, { description: 'step', inputSchema: { type: 'object' } }) }];
    },
    async invoke(call, context): Promise<ToolCallOutcome> {
      note(`start ${call.callId}`);
      if (options.stepDelayMs) await new Promise((resolve) => setTimeout(resolve, options.stepDelayMs));
      const resultRef = await putText(context.blobs, `done ${call.callId}`);
      note(`end ${call.callId}`);
      return { status: 'succeeded', isError: false, resultRef };
    },
  });
}
