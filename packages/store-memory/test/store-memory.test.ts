import { describe, expect, it } from 'vitest';
import { AppendConflictError, type LiveMessage, type StoredEntry } from '@lightspeed/ports';
import { MemoryHeadSignal, MemoryLiveChannel, MemorySessionStore } from '../src/index.js';

const entry = (seq: number): StoredEntry => ({ seq, at: 1_000 + seq, kind: 'test.event', version: 1, data: { n: seq } });

describe('in-process adapters', () => {
  it('the session store appends only at the expected head and updates the list projection with it', async () => {
    const store = new MemorySessionStore();
    await store.append('s1', 0, [entry(1), entry(2)], { status: 'active', displayName: 'first' });
    await expect(store.append('s1', 1, [entry(2)])).rejects.toBeInstanceOf(AppendConflictError);
    expect(await store.head('s1')).toBe(2);
    expect((await store.read('s1', { after: 1 })).map((e) => e.seq)).toEqual([2]);
    expect(await store.summary('s1')).toMatchObject({ status: 'active', displayName: 'first', head: 2, updatedAt: 1_002 });
    expect(await store.listActive()).toEqual(['s1']);
  });

  it('what a reader gets is a copy: changing it does not change the log', async () => {
    const store = new MemorySessionStore();
    await store.append('s1', 0, [entry(1)]);
    const [read] = await store.read('s1');
    (read!.data as { n: number }).n = 99;
    expect(((await store.read('s1'))[0]!.data as { n: number }).n).toBe(1);
  });

  it('head signals and live deltas reach current subscribers only, and a throwing one does not stop the rest', () => {
    const heads = new MemoryHeadSignal();
    const seen: number[] = [];
    heads.subscribe('k', () => {
      throw new Error('a broken waiter');
    });
    const stop = heads.subscribe('k', (head) => seen.push(head));
    heads.notify('k', 3);
    heads.notify('other', 4);
    stop();
    heads.notify('k', 5);
    expect(seen).toEqual([3]);

    const live = new MemoryLiveChannel();
    const got: unknown[] = [];
    const unsubscribe = live.subscribe('s1', (message) => got.push(message));
    const message: LiveMessage = { sessionId: 's1', turnId: 't1', delta: { type: 'text', text: 'hi' } };
    live.publish(message);
    live.publish({ ...message, sessionId: 's2' });
    unsubscribe();
    live.publish(message);
    expect(got).toEqual([message]);
  });
});
