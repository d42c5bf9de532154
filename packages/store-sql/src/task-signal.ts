import type { TaskSignal } from '@lightspeed/ports';
import pg from 'pg';
import type { SqlDriver } from './sql-driver.js';

export const TASK_NOTIFY_CHANNEL = 'lightspeed_tasks';

/**
 * The task queue's wake-up signal. Listeners in this process hear every notify at once. On
 * PostgreSQL a notify is also sent as `pg_notify` through the store's pool, and the first subscriber
 * opens one connection that LISTENs, so dispatchers in other processes hear it too. On PGlite (one
 * process owns the data directory) the in-process signal is all there is.
 */
export class SqlTaskSignal implements TaskSignal {
  private readonly listeners = new Set<(universe: string) => void>();
  private listening: Promise<pg.Client | undefined> | undefined;
  private closed = false;

  constructor(
    private readonly driver: SqlDriver,
    private readonly url?: string,
    private readonly onError: (error: unknown) => void = () => undefined,
  ) {}

  notify(universe: string): void {
    this.deliver(universe);
    if (this.driver.kind !== 'postgres' || this.closed) return;
    // A burst of enqueues shares its notifies: while one is in flight for a universe, later calls
    // only ask for one more after it, which still follows every one of them (a wake-up, not a count).
    if (this.sending.has(universe)) this.sending.set(universe, true);
    else this.send(universe);
  }

  /** universe → whether another notify is wanted once the one in flight is sent. */
  private readonly sending = new Map<string, boolean>();

  private send(universe: string): void {
    this.sending.set(universe, false);
    void this.driver
      .query('SELECT pg_notify($1, $2)', [TASK_NOTIFY_CHANNEL, universe])
      .catch(this.onError)
      .finally(() => {
        const again = this.sending.get(universe) === true;
        this.sending.delete(universe);
        if (again && !this.closed) this.send(universe);
      });
  }

  subscribe(listener: (universe: string) => void): () => void {
    this.listeners.add(listener);
    if (this.driver.kind === 'postgres' && this.url && !this.listening) this.listening = this.listen(this.url);
    return () => this.listeners.delete(listener);
  }

  private async listen(url: string): Promise<pg.Client | undefined> {
    const client = new pg.Client({ connectionString: url });
    try {
      client.on('error', this.onError);
      await client.connect();
      // Our own notifies come back too; a spurious wake-up costs one empty claim.
      client.on('notification', (message) => {
        if (message.channel === TASK_NOTIFY_CHANNEL && message.payload) this.deliver(message.payload);
      });
      await client.query(`LISTEN ${TASK_NOTIFY_CHANNEL}`);
      return client;
    } catch (error) {
      // Without the listener, dispatchers fall back to polling; the error is reported, not fatal.
      this.onError(error);
      await client.end().catch(() => undefined);
      return undefined;
    }
  }

  /**
   * A statement sent the cross-process notify itself (`pg_notify` inside it, delivered at its
   * commit): only this process's listeners are told here. On PGlite the same as `notify`.
   */
  notifiedBy(universe: string): void {
    this.deliver(universe);
  }

  /** The SQL a statement calls to notify other processes of new tasks in universe `$universeParam`, or undefined (PGlite, or closed). */
  notifySql(universeParam: string): string | undefined {
    return this.driver.kind === 'postgres' ? `pg_notify('${TASK_NOTIFY_CHANNEL}', ${universeParam})` : undefined;
  }

  private deliver(universe: string): void {
    for (const listener of this.listeners) {
      try {
        listener(universe);
      } catch {
        // One failing listener must not keep the wake-up from the others.
      }
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    const client = await this.listening;
    await client?.end().catch(() => undefined);
  }
}
