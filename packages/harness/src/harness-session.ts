import { openSessionStream, startRun, type ActiveRun, type RpcClient, type TurnObserver, type TurnResult } from '@lightspeed/cli';

/** A streamed token: assistant text or a piece of the reasoning summary. */
export interface SessionDelta {
  type: 'text' | 'reasoning' | (string & {});
  text?: string;
}

/** What a subscription reports, live, for every run of the session. */
export interface SessionSubscriber {
  /** A durable session event (the v1 contract's event record: `{cursor, kind: {type, …}, …}`). */
  onEvent?(event: any): void;
  /** A streamed token delta (not durable: only subscribers connected at the time see it). */
  onDelta?(delta: SessionDelta): void;
}

export interface Subscription {
  /** Ends when the stream closes: after `close()`, or when the harness closes. */
  done: Promise<void>;
  close(): void;
}

/** How one message is followed: the observer's callbacks (all optional) and a signal that cancels the run. */
export interface SendOptions extends Partial<TurnObserver> {
  signal?: AbortSignal;
}

/** Live streams the harness must end on `close()`, so its server can stop. */
export type StreamTracker = Set<AbortController>;

/**
 * A session of an embedded harness. Everything goes through the same JSON-RPC + SSE client the CLI
 * uses (so an embedded app sees exactly what a remote client would), and results come from the
 * session's log: a run's answer and tool outputs are what was recorded, never a second copy.
 */
export class HarnessSession {
  constructor(
    readonly id: string,
    private readonly client: RpcClient,
    private readonly streams: StreamTracker,
  ) {}

  /** Sends a user message and resolves with the run's outcome (status, answer, tool traces, usage). */
  async send(text: string, options: SendOptions = {}): Promise<TurnResult> {
    const run = await this.start(text, options);
    const cancel = () => void this.client.call('session/runs/cancel', { sessionId: this.id, runId: run.runId }).catch(() => undefined);
    options.signal?.addEventListener('abort', cancel, { once: true });
    try {
      return await run.done;
    } finally {
      options.signal?.removeEventListener('abort', cancel);
    }
  }

  /** Starts a run without waiting for it: `done` resolves with its outcome, `runId` names it for `cancel`. */
  start(text: string, observer: Partial<TurnObserver> = {}): Promise<ActiveRun> {
    return startRun(this.client, this.id, text, {
      text: (delta) => observer.text?.(delta),
      reasoning: (delta) => observer.reasoning?.(delta),
      toolCall: (call) => observer.toolCall?.(call),
      toolResult: (result) => observer.toolResult?.(result),
      event: (event) => observer.event?.(event),
    });
  }

  /** Cancels a run (durably: its open tool calls get cancelled results). */
  async cancel(runId: string): Promise<void> {
    await this.client.call('session/runs/cancel', { sessionId: this.id, runId });
  }

  /**
   * Follows the session live from now on (or after the event position `after`): resolves once the
   * server confirmed the subscription, so nothing of a run started afterwards is missed.
   */
  async subscribe(subscriber: SessionSubscriber, options: { after?: number } = {}): Promise<Subscription> {
    const controller = new AbortController();
    this.streams.add(controller);
    try {
      const after = options.after ?? (await this.client.headCursor(this.id));
      const stream = await openSessionStream(this.client, this.id, after, controller.signal);
      const done = (async () => {
        try {
          for await (const message of stream) {
            if (message.event === 'event') subscriber.onEvent?.(message.data);
            else if (message.event === 'delta' && message.data?.delta) subscriber.onDelta?.(message.data.delta);
          }
        } catch (error) {
          if (!controller.signal.aborted) throw error;
        } finally {
          this.streams.delete(controller);
        }
      })();
      return { done, close: () => controller.abort() };
    } catch (error) {
      this.streams.delete(controller);
      controller.abort();
      throw error;
    }
  }

  /** The session view (`session/read`): config, runs with their entries and tool batches, usage. */
  async read(): Promise<any> {
    return (await this.client.call<{ session: unknown }>('session/read', { sessionId: this.id })).session;
  }
}
