import { describe, expect, it } from 'vitest';
import { createEmbedder, EmbedderError, LocalEmbedder } from '../src/index.js';
import { dot } from '../src/embedders/unit-vector.js';

/*
 * The local model as scripts/setup.d/minilm.sh installs it (CI runs that script; a machine without
 * it fails here with the message naming the script, never silently skips).
 */
describe('local all-MiniLM-L6-v2 embedder', () => {
  const embedder = new LocalEmbedder();

  it("reproduces sentence-transformers' published similarity matrix within 0.01 (int8 weights)", async () => {
    // The matrix sentence-transformers prints for all-MiniLM-L6-v2 in its README and docs
    // ("Getting Started": https://github.com/UKPLab/sentence-transformers#getting-started,
    // https://sbert.net/docs/quickstart.html), computed there with the fp32 weights.
    const sentences = ['The weather is lovely today.', "It's so sunny outside!", 'He drove to the stadium.'];
    const expected = [
      [1.0, 0.666, 0.1046],
      [0.666, 1.0, 0.1411],
      [0.1046, 0.1411, 1.0],
    ];
    const vectors = await embedder.embed(sentences);
    for (let i = 0; i < 3; i += 1) {
      for (let j = 0; j < 3; j += 1) expect(Math.abs(dot(vectors[i]!, vectors[j]!) - expected[i]![j]!)).toBeLessThan(0.01);
    }
  }, 60_000);

  it('makes 384-dimensional unit vectors; paraphrases are nearer than unrelated text; batches match singles', async () => {
    const texts = [
      'The production deployment failed with an error',
      'Shipping the release to prod broke',
      'Add a dark mode toggle to the settings page',
      'Bump lodash from 4.17.20 to 4.17.21',
    ];
    const vectors = await embedder.embed(texts);
    expect(embedder.dimensions).toBe(384);
    for (const vector of vectors) {
      expect(vector).toHaveLength(384);
      expect(dot(vector, vector)).toBeCloseTo(1, 4);
    }
    const paraphrase = dot(vectors[0]!, vectors[1]!);
    expect(paraphrase).toBeGreaterThan(dot(vectors[0]!, vectors[2]!));
    expect(paraphrase).toBeGreaterThan(dot(vectors[0]!, vectors[3]!));
    // Padding in a batch does not change a vector (the mean is over the attention mask).
    const [alone] = await embedder.embed([texts[3]!]);
    for (let d = 0; d < 384; d += 1) expect(alone![d]).toBeCloseTo(vectors[3]![d]!, 4);
  }, 60_000);

  it('without the model files it says which script installs them', async () => {
    const missing = createEmbedder({ kind: 'local', cacheDir: '/nonexistent/lightspeed-models' });
    const error = await missing.embed(['x']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EmbedderError);
    expect(error).toMatchObject({ code: 'unavailable' });
    expect((error as Error).message).toMatch(/scripts\/setup\.d\/minilm\.sh/);
  });
});
