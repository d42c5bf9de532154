// Token deltas between processes over PostgreSQL LISTEN/NOTIFY, on a real PostgreSQL server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LiveMessage } from '@lightspeed/ports';
import { startPostgres, type PostgresServer } from '@lightspeed/testkit';
import { MAX_NOTIFY_BYTES, notifyPayloads, PostgresLiveChannel } from '../src/index.js';

let server: PostgresServer;
let publisher: PostgresLiveChannel;
let gateway: PostgresLiveChannel;

beforeAll(async () => {
  server = await startPostgres();
  [publisher, gateway] = await Promise.all([PostgresLiveChannel.connect({ url: server.url }), PostgresLiveChannel.connect({ url: server.url })]);
});

afterAll(async () => {
  await publisher?.close();
  await gateway?.close();
  await server?.stop();
});

async function until(predicate: () => boolean): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('PostgresLiveChannel', () => {
  it('delivers deltas published by one connection to subscribers of that session on another, in order', async () => {
    const seen: LiveMessage[] = [];
    const other: LiveMessage[] = [];
    const stop = gateway.subscribe('u\u001fs1', (m) => seen.push(m));
    const stopOther = gateway.subscribe('u\u001fs2', (m) => other.push(m));
    for (let i = 0; i < 50; i++) publisher.publish({ sessionId: 'u\u001fs1', turnId: 'turn_1', delta: { type: 'text', text: `${i} ` } });
    publisher.publish({ sessionId: 'u\u001fs1', turnId: 'turn_1', delta: { type: 'toolCall', callId: 'c1', name: 'read', argumentsDelta: '{"a":1}' } });
    await until(() => seen.length === 51);
    stop();
    stopOther();
    expect(seen.slice(0, 50).map((m) => (m.delta as { text: string }).text).join('')).toBe(Array.from({ length: 50 }, (_, i) => `${i} `).join(''));
    expect(seen[50]).toEqual({ sessionId: 'u\u001fs1', turnId: 'turn_1', delta: { type: 'toolCall', callId: 'c1', name: 'read', argumentsDelta: '{"a":1}' } });
    expect(other).toEqual([]);
  });

  it('splits a delta larger than a NOTIFY payload into ordered pieces that reassemble exactly', async () => {
    const text = Array.from({ length: 30_000 }, (_, i) => (i % 97 === 0 ? 'é😀' : String.fromCharCode(97 + (i % 26)))).join('');
    const message: LiveMessage = { sessionId: 'u\u001fbig', turnId: 'turn_9', delta: { type: 'text', text } };
    const payloads = notifyPayloads(message);
    expect(payloads.length).toBeGreaterThan(4);
    for (const payload of payloads) expect(new TextEncoder().encode(payload).length).toBeLessThanOrEqual(MAX_NOTIFY_BYTES);
    const seen: string[] = [];
    const stop = gateway.subscribe('u\u001fbig', (m) => seen.push((m.delta as { text: string }).text));
    publisher.publish(message);
    await until(() => seen.join('').length === text.length);
    stop();
    expect(seen.join('')).toBe(text);
  });

  it('keeps nothing: a subscriber only sees deltas published after it subscribed', async () => {
    publisher.publish({ sessionId: 'u\u001flate', turnId: 'turn_1', delta: { type: 'text', text: 'early' } });
    await publisher.flushed();
    await new Promise((resolve) => setTimeout(resolve, 100));
    const seen: string[] = [];
    const stop = gateway.subscribe('u\u001flate', (m) => seen.push((m.delta as { text: string }).text));
    publisher.publish({ sessionId: 'u\u001flate', turnId: 'turn_1', delta: { type: 'text', text: 'late' } });
    await until(() => seen.length === 1);
    stop();
    expect(seen).toEqual(['late']);
  });

  it('carries head signals between processes, apart from deltas', async () => {
    const heads: number[] = [];
    const deltas: LiveMessage[] = [];
    const stopHeads = gateway.headSignal.subscribe('u\u001fh', (head) => heads.push(head));
    const stopDeltas = gateway.subscribe('u\u001fh', (m) => deltas.push(m));
    publisher.headSignal.notify('u\u001fh', 7);
    publisher.headSignal.notify('u\u001fother', 9);
    publisher.headSignal.notify('u\u001fh', 12);
    await until(() => heads.length === 2);
    stopHeads();
    stopDeltas();
    expect(heads).toEqual([7, 12]);
    expect(deltas).toEqual([]);
  });

  it('carries effect aborts to every connection (including the sender), apart from deltas and heads', async () => {
    const heard: [string, string[]][] = [];
    const own: [string, string[]][] = [];
    const heads: number[] = [];
    const stop = gateway.effectAborts.subscribe((key, effectKeys) => heard.push([key, effectKeys]));
    const stopOwn = publisher.effectAborts.subscribe((key, effectKeys) => own.push([key, effectKeys]));
    const stopHeads = gateway.headSignal.subscribe('["u","a"]', (head) => heads.push(head));
    publisher.effectAborts.publish('["u","a"]', ['generate:turn_1:1', 'tool:call_2']);
    publisher.effectAborts.publish('["u","a"]', []);
    publisher.effectAborts.publish('["u","b"]', ['tool:call_9']);
    await until(() => heard.length === 2 && own.length === 2);
    stop();
    stopOwn();
    stopHeads();
    expect(heard).toEqual([
      ['["u","a"]', ['generate:turn_1:1', 'tool:call_2']],
      ['["u","b"]', ['tool:call_9']],
    ]);
    expect(own).toEqual(heard);
    expect(heads).toEqual([]);
  });
});
