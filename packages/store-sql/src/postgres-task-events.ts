import type { TaskEvent, TaskEventChannel } from '@lightspeed/ports';
import { PostgresLiveChannel } from './postgres-live-channel.js';

/**
 * Task events between processes on one PostgreSQL (dispatchers publishing, gateways streaming),
 * over a `PostgresLiveChannel` connected on first use: a process that never touches tasks (a
 * migration, a CLI read) opens no extra connections. A failed connection is retried on the next use.
 */
export class PostgresTaskEvents implements TaskEventChannel {
  private connecting: Promise<PostgresLiveChannel> | undefined;
  private closed = false;

  constructor(
    private readonly url: string,
    private readonly onError: (error: unknown) => void = () => undefined,
  ) {}

  private channel(): Promise<PostgresLiveChannel> {
    if (this.closed) return Promise.reject(new Error('task events are closed'));
    this.connecting ??= PostgresLiveChannel.connect({ url: this.url, onError: this.onError }).catch((error: unknown) => {
      this.connecting = undefined;
      throw error;
    });
    return this.connecting;
  }

  publish(universe: string, event: TaskEvent): void {
    // Callbacks on one promise run in registration order, so events keep their order.
    this.channel().then(
      (channel) => channel.taskEvents.publish(universe, event),
      (error: unknown) => this.onError(error),
    );
  }

  subscribe(universe: string, listener: (event: TaskEvent) => void): () => void {
    let unsubscribe: (() => void) | undefined;
    let cancelled = false;
    this.channel().then(
      (channel) => {
        if (!cancelled) unsubscribe = channel.taskEvents.subscribe(universe, listener);
      },
      (error: unknown) => this.onError(error),
    );
    return () => {
      cancelled = true;
      unsubscribe?.();
    };
  }

  async ready(): Promise<void> {
    await this.channel();
  }

  async close(): Promise<void> {
    this.closed = true;
    const connecting = this.connecting;
    this.connecting = undefined;
    if (connecting) await (await connecting.catch(() => undefined))?.close();
  }
}
