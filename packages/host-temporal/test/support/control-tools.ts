// A tool runtime the tests control: `step` finishes at once (optionally after a delay), `sleep`
// defers to a timer, `hang` runs until cancelled. Used by the history recorder and the crash test.
import { appendFileSync } from 'node:fs';
import { putJson, putText } from '@lightspeed/cas';
import type { ToolPortFactory } from '@lightspeed/driver';
import type { ToolCallOutcome } from '@lightspeed/engine';

export interface ControlToolsOptions {
  /** Each execution appends `start <callId>` and `end <callId>` lines here (outside the store). */
  journal?: string;
  stepDelayMs?: number;
  /** Journal lines name the session too (`start <sessionId>/<callId>`): for many sessions in one journal. */
  qualify?: boolean;
  /** Lines end with the wall-clock ms (`start <id> <ms>`): to order executions against commits. */
  stamp?: boolean;
}

export function controlTools(options: ControlToolsOptions = {}): ToolPortFactory {
  const note = (line: string) => {
    if (options.journal) appendFileSync(options.journal, options.stamp ? `${line} ${Date.now()}\n` : `${line}\n`);
  };
  return ({ blobs, sessionId }) => ({
    async resolve() {
      const def = (name: string) => putJson(blobs, { description: name, inputSchema: { type: 'object' } });
      return [
        { name: 'step', parallelism: 'exclusive' as const, definitionRef: await def('step') },
        { name: 'sleep', parallelism: 'parallelSafe' as const, definitionRef: await def('sleep') },
        { name: 'hang', parallelism: 'parallelSafe' as const, definitionRef: await def('hang') },
      ];
    },
    async invoke(call, context): Promise<ToolCallOutcome> {
      const id = options.qualify ? `${sessionId}/${call.callId}` : call.callId;
      note(`start ${id}`);
      if (call.name === 'sleep') return { status: 'deferred', promiseId: `timer_${call.callId}`, deadline: Date.now() + 300 };
      if (call.name === 'hang') {
        return new Promise<ToolCallOutcome>((_, reject) => context.signal?.addEventListener('abort', () => reject(Object.assign(new Error('aborted'), { name: 'AbortError' }))));
      }
      if (options.stepDelayMs) await new Promise((resolve) => setTimeout(resolve, options.stepDelayMs));
      const resultRef = await putText(context.blobs, `done ${call.callId}`);
      note(`end ${id}`);
      return { status: 'succeeded', isError: false, resultRef };
    },
  });
}
