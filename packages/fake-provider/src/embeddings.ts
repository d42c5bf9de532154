/*
 * Deterministic embeddings for tests: a hashed bag of words, signed and L2-normalised, so texts
 * that share words are near each other and equal texts are equal. Served on `/v1/embeddings`
 * (OpenAI wire) and used in-process by memory's fake embedder — one function for both.
 */

export const FAKE_EMBEDDING_DIMENSIONS = 64;

function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

export function fakeEmbedding(text: string, dimensions: number = FAKE_EMBEDDING_DIMENSIONS): Float32Array {
  const vector = new Float32Array(dimensions);
  for (const word of text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []) {
    const hash = fnv1a(word);
    vector[hash % dimensions]! += hash & 0x80000000 ? -1 : 1;
  }
  let norm = 0;
  for (const value of vector) norm += value * value;
  if (norm === 0) {
    vector[0] = 1;
    return vector;
  }
  const scale = 1 / Math.sqrt(norm);
  for (let i = 0; i < dimensions; i += 1) vector[i]! *= scale;
  return vector;
}

/** OpenAI's `encoding_format: 'base64'` (the official SDK's default) is the little-endian float32 bytes. */
function encode(vector: Float32Array, format: unknown): number[] | string {
  if (format !== 'base64') return Array.from(vector);
  const bytes = new Uint8Array(vector.length * 4);
  const view = new DataView(bytes.buffer);
  vector.forEach((value, i) => view.setFloat32(i * 4, value, true));
  return btoa(String.fromCharCode(...bytes));
}

/** The body of an OpenAI `/v1/embeddings` answer for `input` (a string or strings). */
export function renderEmbeddings(body: Record<string, unknown>): { status: number; body: unknown } {
  const input = body.input;
  const texts = typeof input === 'string' ? [input] : Array.isArray(input) && input.every((item) => typeof item === 'string') ? (input as string[]) : undefined;
  if (texts === undefined) {
    return { status: 400, body: { error: { message: "'input' must be a string or an array of strings", type: 'invalid_request_error', param: 'input', code: null } } };
  }
  const dimensions = typeof body.dimensions === 'number' && Number.isInteger(body.dimensions) && body.dimensions > 0 ? body.dimensions : FAKE_EMBEDDING_DIMENSIONS;
  const tokens = texts.reduce((sum, text) => sum + (text.match(/\S+/g)?.length ?? 0), 0);
  return {
    status: 200,
    body: {
      object: 'list',
      data: texts.map((text, index) => ({ object: 'embedding', index, embedding: encode(fakeEmbedding(text, dimensions), body.encoding_format) })),
      model: typeof body.model === 'string' ? body.model : 'fake-embedding',
      usage: { prompt_tokens: tokens, total_tokens: tokens },
    },
  };
}
