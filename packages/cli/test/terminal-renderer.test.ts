import { describe, expect, it } from 'vitest';
import { JsonLinesRenderer, TerminalRenderer } from '../src/chat/terminal-renderer.js';
import type { TurnResult } from '../src/chat/turn-observer.js';
import { Capture } from './support/cli-harness.js';

const result = (answer: string, status: TurnResult['status'] = 'completed'): TurnResult => ({ sessionId: 's', runId: 'run_1', status, answer, tools: [] });

describe('terminal rendering of a turn', () => {
  it('streams text, puts tool traces on their own lines, and does not repeat a streamed answer', () => {
    const out = new Capture();
    const renderer = new TerminalRenderer(out);
    renderer.text('Let me look');
    renderer.toolCall({ name: 'list_dir', argsPreview: '{"dir_path":""}' });
    renderer.toolResult({ name: 'list_dir', status: 'succeeded' });
    renderer.text('Two files.');
    renderer.finish(result('Two files.'));
    expect(out.text).toBe('Let me look\n> tool list_dir({"dir_path":""})\n< tool list_dir: ok\nTwo files.\n');
  });

  it('prints the final answer whole when its tokens were not streamed, and says when a run failed', () => {
    const out = new Capture();
    const renderer = new TerminalRenderer(out);
    renderer.finish({ ...result('partial'), status: 'failed', error: 'provider "x" has no API key' });
    expect(out.text).toBe('partial\nrun run_1 failed: provider "x" has no API key\n');
  });

  it('shows reasoning dimmed on a terminal and leaves it out of piped output', () => {
    const tty = new Capture();
    tty.isTTY = true;
    const shown = new TerminalRenderer(tty);
    shown.reasoning('weighing options');
    shown.text('Answer.');
    shown.finish(result('Answer.'));
    expect(tty.text).toBe('\x1b[2mthinking: weighing options\x1b[22m\nAnswer.\n');

    const piped = new Capture();
    const hidden = new TerminalRenderer(piped);
    hidden.reasoning('weighing options');
    hidden.text('Answer.');
    hidden.finish(result('Answer.'));
    expect(piped.text).toBe('Answer.\n');
  });

  it('--json writes one object per line: deltas, reasoning, events, then the result', () => {
    const out = new Capture();
    const renderer = new JsonLinesRenderer(out);
    renderer.reasoning('hmm');
    renderer.text('hi');
    renderer.event({ cursor: { seq: 3 }, kind: { type: 'runCompleted', runId: 'run_1' } });
    renderer.finish(result('hi'));
    expect(out.text.trim().split('\n').map((line) => JSON.parse(line))).toEqual([
      { type: 'delta', reasoning: 'hmm' },
      { type: 'delta', text: 'hi' },
      { type: 'event', event: { cursor: { seq: 3 }, kind: { type: 'runCompleted', runId: 'run_1' } } },
      { type: 'result', sessionId: 's', runId: 'run_1', status: 'completed', answer: 'hi', tools: [] },
    ]);
  });
});
