import { readFileSync } from 'node:fs';
import { MemoryBlobStore } from '@lightspeed/cas';
import type { ApiKind } from '@lightspeed/engine';
import { startFakeProvider, type FakeProvider } from '@lightspeed/fake-provider';
import type { LiveMessage } from '@lightspeed/ports';
import { MemoryLiveChannel } from '@lightspeed/store-memory';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { Conversation } from './conversation.js';

const ROOT = new URL('../fixtures/recorded/', import.meta.url);

/** A recorded provider response from the corpus (see fixtures/recorded/README.md for provenance). */
export function recording(path: string): string {
  return readFileSync(new URL(path, ROOT), 'utf8');
}

export interface ReplayEnv {
  fake: FakeProvider;
  blobs: MemoryBlobStore;
  live: MemoryLiveChannel;
  deltas: LiveMessage[];
  conversation(): Conversation;
}

/** A fake provider that replays recordings to the adapter over real HTTP, through the official SDKs. */
export function replayEnv(apiKind: ApiKind): ReplayEnv {
  const env = { deltas: [] as LiveMessage[] } as unknown as ReplayEnv;
  beforeAll(async () => {
    env.fake = await startFakeProvider();
  });
  afterAll(async () => env.fake.stop());
  beforeEach(() => {
    env.fake.reset();
    env.blobs = new MemoryBlobStore();
    env.live = new MemoryLiveChannel();
    env.deltas = [];
    env.live.subscribe('ses_test', (message) => env.deltas.push(message));
    env.conversation = () => new Conversation(env.blobs, apiKind);
  });
  return env;
}

export function textDeltas(deltas: readonly LiveMessage[], type: 'text' | 'reasoning' = 'text'): string {
  return deltas.map((m) => (m.delta.type === type ? m.delta.text : '')).join('');
}
