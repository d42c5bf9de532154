import type { Writable } from 'node:stream';
import type { TurnObserver, TurnResult, WaitNotice } from './turn-observer.js';

const STATUS_MARK: Record<string, string> = { succeeded: 'ok', failed: 'FAILED', cancelled: 'cancelled', unavailable: 'unavailable' };

/**
 * Human output: tokens as they stream, one line per tool call and per tool result, and the final
 * answer (printed whole when its tokens were not streamed, e.g. a provider without streaming).
 */
export class TerminalRenderer implements TurnObserver {
  private streamed = '';
  private midLine = false;
  private inReasoning = false;

  constructor(private readonly out: Writable & { isTTY?: boolean }) {}

  /** Reasoning is shown dimmed on a terminal, and left out of piped output (it is not the answer). */
  reasoning(delta: string): void {
    if (!this.out.isTTY) return;
    if (!this.inReasoning) {
      this.endLine();
      this.out.write('\x1b[2mthinking: ');
      this.inReasoning = true;
    }
    this.out.write(delta);
    this.midLine = !delta.endsWith('\n');
  }

  text(delta: string): void {
    this.endReasoning();
    this.out.write(delta);
    this.streamed += delta;
    this.midLine = !delta.endsWith('\n');
  }

  toolCall(call: { name: string; argsPreview: string }): void {
    this.endReasoning();
    this.endLine();
    this.out.write(`> tool ${call.name}(${call.argsPreview})\n`);
    this.streamed = '';
  }

  toolResult(result: { name: string; status: string }): void {
    this.endLine();
    this.out.write(`< tool ${result.name}: ${STATUS_MARK[result.status] ?? result.status}\n`);
  }

  /** Timers and other waits get a line; questions and approvals are asked by the chat (it takes the answer). */
  waitOpened(wait: WaitNotice): void {
    if (wait.waitKind === 'question' || wait.waitKind === 'approval') return;
    this.endReasoning();
    this.endLine();
    this.out.write(`… waiting (${wait.waitKind})${wait.preview ? `: ${wait.preview}` : wait.deadlineMs !== undefined ? ` until ${new Date(wait.deadlineMs).toISOString()}` : ''}\n`);
  }

  finish(result: TurnResult): void {
    this.endReasoning();
    if (result.answer && !this.streamed.includes(result.answer)) {
      this.endLine();
      this.out.write(result.answer);
      this.midLine = !result.answer.endsWith('\n');
    }
    this.endLine();
    if (result.sources?.length) {
      this.out.write('sources:\n');
      result.sources.forEach((source, i) => this.out.write(`  [${i + 1}] ${source.title ? `${source.title} — ` : ''}${source.url}\n`));
    }
    if (result.status === 'failed') this.out.write(`run ${result.runId} failed: ${result.error ?? 'unknown error'}\n`);
    if (result.status === 'cancelled') this.out.write(`run ${result.runId} cancelled\n`);
    this.streamed = '';
  }

  private endReasoning(): void {
    if (!this.inReasoning) return;
    this.out.write('\x1b[22m');
    this.inReasoning = false;
    this.endLine();
  }

  private endLine(): void {
    if (this.midLine) this.out.write('\n');
    this.midLine = false;
  }
}

/** `--json`: one JSON object per line for every streamed delta and durable event, then the result. */
export class JsonLinesRenderer implements TurnObserver {
  constructor(private readonly out: Writable) {}

  text(delta: string): void {
    this.line({ type: 'delta', text: delta });
  }

  reasoning(delta: string): void {
    this.line({ type: 'delta', reasoning: delta });
  }

  toolCall(): void {}

  toolResult(): void {}

  event(event: unknown): void {
    this.line({ type: 'event', event });
  }

  finish(result: TurnResult): void {
    this.line({ type: 'result', ...result });
  }

  private line(value: unknown): void {
    this.out.write(`${JSON.stringify(value)}\n`);
  }
}
