import { describe, expect, it } from 'vitest';
import type { NeutralPart } from '../src/context/neutral-part.js';
import { messagesBody, messagesInput } from '../src/adapters/anthropic-messages/messages-request.js';

describe('Anthropic message shaping', () => {
  it('tool results lead the user message that also carries new user text', () => {
    const parts: NeutralPart[] = [
      { kind: 'text', role: 'user', text: 'go', index: 0 },
      { kind: 'toolCall', callId: 't1', name: 'ls', argumentsText: '{}', index: 1 },
      { kind: 'text', role: 'user', text: 'also check b', index: 2 },
      { kind: 'toolResult', callId: 't1', isError: false, text: 'a.txt', images: [], index: 3 },
    ];
    const { messages } = messagesInput(parts, []);
    expect(messages[2]).toEqual({
      role: 'user',
      content: [
        { type: 'tool_result', tool_use_id: 't1', content: 'a.txt' },
        { type: 'text', text: 'also check b' },
      ],
    });
  });

  it('a conversation that starts with the assistant gets a user turn first', () => {
    const { messages } = messagesInput([{ kind: 'text', role: 'assistant', text: 'earlier answer', index: 0 }], []);
    expect(messages.map((message) => message.role)).toEqual(['user', 'assistant']);
  });

  it('a thinking budget at or above max_tokens raises max_tokens; parallel tool use can be disabled', () => {
    const tools = [{ name: 'ls', description: 'list', inputSchema: { type: 'object' } }];
    const body = messagesBody('claude', { reasoningEffort: 'high', maxOutputTokens: 2000, parallelToolUse: false }, [{ kind: 'text', role: 'user', text: 'hi', index: 0 }], tools, []);
    expect(body).toMatchObject({ thinking: { type: 'enabled', budget_tokens: 24576 }, max_tokens: 26576, tool_choice: { type: 'auto', disable_parallel_tool_use: true } });
  });
});
