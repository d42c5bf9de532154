import { randomBytes } from 'node:crypto';
import type { TaskEventChannel } from '@lightspeed/ports';
import type { TaskEventView } from '../schemas/tasks.js';
import { taskEventView } from '../views/task-view.js';

/** One received event and its stream id (`<epoch>.<seq>`). */
export interface TaskFeedEntry {
  id: string;
  seq: number;
  event: TaskEventView;
}

interface UniverseFeed {
  entries: TaskFeedEntry[];
  next: number;
  wakers: Set<() => void>;
}

/** Where a reader resumes: entries after its id, or `reset` when they are no longer all here. */
export type TaskFeedPosition = { seq: number } | { reset: string };

/**
 * Task events of each universe a stream was opened for, numbered as this process received them
 * and kept in a bounded replay buffer, so a client that reconnects with `Last-Event-ID` gets what
 * it missed. The ids carry this feed's epoch: an id from before a restart (or from another gateway
 * process) cannot be resumed, nor can one older than the buffer; the stream then says `reset` and
 * the client re-reads `tasks/list`. Events are not stored anywhere else (docs/tasks.md).
 */
export class TaskEventFeed {
  private readonly epoch = randomBytes(4).toString('hex');
  private readonly universes = new Map<string, UniverseFeed>();

  constructor(
    private readonly channel: TaskEventChannel,
    private readonly replay = 1_000,
  ) {}

  /** Starts receiving the universe's events (kept for the process's life) once the channel listens. */
  async open(universe: string): Promise<void> {
    if (!this.universes.has(universe)) {
      const feed: UniverseFeed = { entries: [], next: 1, wakers: new Set() };
      this.universes.set(universe, feed);
      this.channel.subscribe(universe, (event) => {
        const seq = feed.next++;
        feed.entries.push({ id: `${this.epoch}.${seq}`, seq, event: taskEventView(event) });
        if (feed.entries.length > this.replay) feed.entries.splice(0, feed.entries.length - this.replay);
        for (const wake of [...feed.wakers]) wake();
      });
    }
    await this.channel.ready();
  }

  /** The seq of the last event received (a reader starting now reads after it). */
  latest(universe: string): number {
    return this.feed(universe).next - 1;
  }

  /** The position after `lastEventId` (absent: from now on). */
  position(universe: string, lastEventId: string | undefined): TaskFeedPosition {
    const feed = this.feed(universe);
    if (lastEventId === undefined || lastEventId === '') return { seq: feed.next - 1 };
    const match = /^([0-9a-f]{8})\.(\d{1,15})$/.exec(lastEventId);
    if (!match || match[1] !== this.epoch) return { reset: 'the event id is from another server process (or was restarted); re-read tasks/list' };
    const seq = Number(match[2]);
    if (seq >= feed.next) return { reset: 'the event id is unknown here; re-read tasks/list' };
    const oldest = feed.entries[0]?.seq ?? feed.next;
    if (seq + 1 < oldest) return { reset: `more than ${this.replay} events happened since; re-read tasks/list` };
    return { seq };
  }

  /** Entries after `seq`; `reset` when the reader fell behind the buffer. */
  after(universe: string, seq: number): TaskFeedEntry[] | { reset: string } {
    const feed = this.feed(universe);
    const oldest = feed.entries[0]?.seq ?? feed.next;
    if (seq + 1 < oldest) return { reset: `this client fell more than ${this.replay} events behind; re-read tasks/list` };
    return feed.entries.filter((entry) => entry.seq > seq);
  }

  /** Resolves when an event arrives, after `ms`, or when `signal` aborts. */
  wait(universe: string, ms: number, signal: AbortSignal): Promise<void> {
    const feed = this.feed(universe);
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        feed.wakers.delete(done);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      feed.wakers.add(done);
      signal.addEventListener('abort', done, { once: true });
      if (signal.aborted) done();
    });
  }

  private feed(universe: string): UniverseFeed {
    const feed = this.universes.get(universe);
    if (!feed) throw new Error(`task events of universe ${universe} were not opened`);
    return feed;
  }
}
