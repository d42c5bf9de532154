import type { EffectAbortSignal, HeadSignal, LiveChannel, LiveDelta, LiveMessage, TaskEvent, TaskEventChannel } from '@lightspeed/ports';
import { MemoryHeadSignal, MemoryTaskEventChannel } from '@lightspeed/store-memory';
import pg from 'pg';

/** PostgreSQL refuses NOTIFY payloads of 8000 bytes or more; stay well below. */
export const MAX_NOTIFY_BYTES = 7900;
export const DEFAULT_LIVE_CHANNEL = 'lightspeed_live';

interface Wire {
  /** Live key (universe-qualified session). */
  k: string;
  /** Turn id. */
  t: string;
  d: LiveDelta;
}

/** A head signal: the session's log reaches `h`. */
interface HeadWire {
  k: string;
  h: number;
}

/** Effects of session `k` to stop. */
interface AbortWire {
  k: string;
  a: string[];
}

/** A task event of universe `k`. */
interface TaskWire {
  k: string;
  e: TaskEvent;
}

const encoder = new TextEncoder();

/**
 * A task event as one NOTIFY payload. Kind, subject and the clipped error fit easily; only a task
 * with many long tags can be over the limit, and then its tags are left out. Undefined if even
 * that does not fit (nothing sensible to send).
 */
export function taskEventPayload(universe: string, event: TaskEvent): string | undefined {
  const payload = JSON.stringify({ k: universe, e: event } satisfies TaskWire);
  if (encoder.encode(payload).length <= MAX_NOTIFY_BYTES) return payload;
  const bare = JSON.stringify({ k: universe, e: { ...event, task: { ...event.task, tags: [] } } } satisfies TaskWire);
  return encoder.encode(bare).length <= MAX_NOTIFY_BYTES ? bare : undefined;
}

/** The string field of a delta that may grow without bound. */
function growing(delta: LiveDelta): string {
  return delta.type === 'toolCall' ? delta.argumentsDelta : delta.text;
}

function withGrowing(delta: LiveDelta, value: string): LiveDelta {
  return delta.type === 'toolCall' ? { ...delta, argumentsDelta: value } : { ...delta, text: value };
}

/**
 * Splits a message into wire payloads under the NOTIFY limit, in order: a long delta becomes
 * consecutive deltas whose concatenation is the original (split on code-point boundaries).
 */
export function notifyPayloads(message: LiveMessage): string[] {
  const payload = JSON.stringify({ k: message.sessionId, t: message.turnId, d: message.delta } satisfies Wire);
  if (encoder.encode(payload).length <= MAX_NOTIFY_BYTES) return [payload];
  const chars = Array.from(growing(message.delta));
  if (chars.length <= 1) return []; // the envelope alone is over the limit: nothing sensible to send
  const half = Math.ceil(chars.length / 2);
  const head = { ...message, delta: withGrowing(message.delta, chars.slice(0, half).join('')) };
  const tail = { ...message, delta: withGrowing(message.delta, chars.slice(half).join('')) };
  return [...notifyPayloads(head), ...notifyPayloads(tail)];
}

export interface PostgresLiveChannelOptions {
  url: string;
  channel?: string;
  onError?: (error: unknown) => void;
}

/**
 * Token deltas between processes (a worker publishing, gateways subscribed) over PostgreSQL
 * LISTEN/NOTIFY, head signals (a session's log grew) for `waitForEvents`, and effect aborts (stop a
 * cancelled run's effects wherever they run). Nothing is stored: a
 * subscriber sees what is published while it listens. One connection listens, one publishes;
 * publishes are sent in order and never block the caller.
 */
export class PostgresLiveChannel implements LiveChannel {
  private readonly listeners = new Map<string, Set<(message: LiveMessage) => void>>();
  private readonly heads = new MemoryHeadSignal();
  private readonly abortListeners = new Set<(key: string, effectKeys: string[]) => void>();
  private readonly tasks = new MemoryTaskEventChannel();
  private sending: Promise<void> = Promise.resolve();
  private closed = false;

  private constructor(
    private readonly listener: pg.Client,
    private readonly publisher: pg.Client,
    private readonly channel: string,
    private readonly onError: (error: unknown) => void,
  ) {}

  static async connect(options: PostgresLiveChannelOptions): Promise<PostgresLiveChannel> {
    const channel = options.channel ?? DEFAULT_LIVE_CHANNEL;
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(channel)) throw new Error('live channel name must be a lower-case SQL identifier');
    const listener = new pg.Client({ connectionString: options.url });
    const publisher = new pg.Client({ connectionString: options.url });
    await Promise.all([listener.connect(), publisher.connect()]);
    const onError = options.onError ?? (() => undefined);
    const live = new PostgresLiveChannel(listener, publisher, channel, onError);
    listener.on('notification', (notification) => live.deliver(notification.channel, notification.payload));
    listener.on('error', onError);
    publisher.on('error', onError);
    await listener.query(`LISTEN ${channel}`);
    return live;
  }

  publish(message: LiveMessage): void {
    // Subscribers live in other processes, so every delta goes out.
    if (this.closed) return;
    this.send(notifyPayloads(message));
  }

  /** Head signals over the same connections: workers notify after appends, gateways wait on them. */
  get headSignal(): HeadSignal {
    return {
      notify: (key, head) => {
        if (this.closed) return;
        const payload = JSON.stringify({ k: key, h: head } satisfies HeadWire);
        if (encoder.encode(payload).length <= MAX_NOTIFY_BYTES) this.send([payload]);
      },
      subscribe: (key, listener) => this.heads.subscribe(key, listener),
    };
  }

  /** Effect aborts over the same connections: every process hears them, the one running the effects acts. */
  get effectAborts(): EffectAbortSignal {
    return {
      publish: (key, effectKeys) => {
        if (this.closed || effectKeys.length === 0) return;
        const payload = JSON.stringify({ k: key, a: [...effectKeys] } satisfies AbortWire);
        if (encoder.encode(payload).length <= MAX_NOTIFY_BYTES) this.send([payload]);
        else for (const effectKey of effectKeys) this.send([JSON.stringify({ k: key, a: [effectKey] } satisfies AbortWire)]);
      },
      subscribe: (listener) => {
        this.abortListeners.add(listener);
        return () => this.abortListeners.delete(listener);
      },
    };
  }

  /**
   * Task events over the same connections. A publisher's own events come back through LISTEN like
   * everyone else's, so subscribers in every process (this one included) see one stream in one order.
   */
  get taskEvents(): TaskEventChannel {
    return {
      publish: (universe, event) => {
        if (this.closed) return;
        const payload = taskEventPayload(universe, event);
        if (payload !== undefined) this.send([payload]);
      },
      subscribe: (universe, listener) => this.tasks.subscribe(universe, listener),
      // connect() returned only once LISTEN was in place.
      ready: () => Promise.resolve(),
    };
  }

  private send(payloads: string[]): void {
    this.sending = this.sending.then(async () => {
      for (const payload of payloads) {
        try {
          await this.publisher.query('SELECT pg_notify($1, $2)', [this.channel, payload]);
        } catch (error) {
          this.onError(error);
        }
      }
    });
  }

  subscribe(sessionId: string, listener: (message: LiveMessage) => void): () => void {
    let set = this.listeners.get(sessionId);
    if (!set) {
      set = new Set();
      this.listeners.set(sessionId, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(sessionId);
    };
  }

  /** Resolves once every delta published so far has been handed to PostgreSQL. */
  flushed(): Promise<void> {
    return this.sending;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.sending;
    await Promise.allSettled([this.listener.end(), this.publisher.end()]);
  }

  private deliver(channel: string, payload: string | undefined): void {
    if (channel !== this.channel || payload === undefined) return;
    let wire: Wire | HeadWire | AbortWire | TaskWire;
    try {
      wire = JSON.parse(payload) as Wire | HeadWire | AbortWire | TaskWire;
    } catch {
      return;
    }
    if ('h' in wire) {
      this.heads.notify(wire.k, wire.h);
      return;
    }
    if ('e' in wire) {
      this.tasks.publish(wire.k, wire.e);
      return;
    }
    if ('a' in wire) {
      for (const listener of this.abortListeners) {
        try {
          listener(wire.k, wire.a);
        } catch {
          // One failing listener must not keep the abort from the others.
        }
      }
      return;
    }
    const set = this.listeners.get(wire.k);
    if (!set) return;
    const message: LiveMessage = { sessionId: wire.k, turnId: wire.t, delta: wire.d };
    for (const listener of set) {
      try {
        listener(message);
      } catch {
        // A failing subscriber must not break delivery to the others.
      }
    }
  }
}
