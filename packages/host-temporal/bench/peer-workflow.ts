// The full-prompt-journaling peer for bench:temporal: the official `@temporalio/ai-sdk`
// integration, where the workflow keeps the conversation and every model call is an activity
// whose input is the whole prompt (so history grows with the conversation).
import { temporalProvider } from '@temporalio/ai-sdk/workflow';
import { condition, defineSignal, defineUpdate, setHandler } from '@temporalio/workflow';
import { generateText, type ModelMessage } from 'ai';

export const peerTurnUpdate = defineUpdate<number, [string]>('turn');
export const peerDoneSignal = defineSignal('done');

export async function peerChat(): Promise<void> {
  const messages: ModelMessage[] = [];
  let done = false;
  setHandler(peerDoneSignal, () => {
    done = true;
  });
  setHandler(peerTurnUpdate, async (text) => {
    messages.push({ role: 'user', content: text });
    const result = await generateText({ model: temporalProvider.languageModel('mock-model'), messages });
    messages.push({ role: 'assistant', content: result.text });
    return result.text.length;
  });
  await condition(() => done);
}
