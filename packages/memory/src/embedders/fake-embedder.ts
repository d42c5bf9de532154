import { FAKE_EMBEDDING_DIMENSIONS, fakeEmbedding } from '@lightspeed/fake-provider';
import type { Embedder } from '@lightspeed/ports';

/** The fake provider's deterministic vectors, in-process (tests, `--provider fake` without a server). */
export class FakeEmbedder implements Embedder {
  readonly model: string;

  constructor(readonly dimensions: number = FAKE_EMBEDDING_DIMENSIONS) {
    this.model = `fake:${dimensions}`;
  }

  embed(texts: readonly string[]): Promise<Float32Array[]> {
    return Promise.resolve(texts.map((text) => fakeEmbedding(text, this.dimensions)));
  }
}
