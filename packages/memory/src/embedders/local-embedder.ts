import { access } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Embedder } from '@lightspeed/ports';
import { EmbedderError } from './embedder-error.js';

/** The one local model: sentence-transformers' all-MiniLM-L6-v2, int8 ONNX, fetched by scripts/setup.d/minilm.sh. */
export const LOCAL_MODEL = 'all-MiniLM-L6-v2';
const DIMENSIONS = 384;
/** sentence-transformers' `max_seq_length` for this model (sentence_bert_config.json): longer inputs are cut there, as it does. */
const MAX_TOKENS = 256;
const MODEL_FILES = ['config.json', 'tokenizer.json', 'tokenizer_config.json', join('onnx', 'model_quantized.onnx')];

/** Where minilm.sh caches models: `$LIGHTSPEED_CACHE/models`, else `~/.cache/lightspeed/models`. */
export function defaultModelCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.LIGHTSPEED_CACHE || join(homedir(), '.cache', 'lightspeed'), 'models');
}

type Transformers = typeof import('@huggingface/transformers');
interface Loaded {
  lib: Transformers;
  tokenizer: Awaited<ReturnType<Transformers['AutoTokenizer']['from_pretrained']>>;
  model: Awaited<ReturnType<Transformers['AutoModel']['from_pretrained']>>;
}

/** transformers.js reads its model directory from a process-wide `env`: loads take turns. */
let loadQueue: Promise<unknown> = Promise.resolve();

/**
 * all-MiniLM-L6-v2 on this machine through `@huggingface/transformers` (onnxruntime-node), never
 * downloading: remote models are off and the files must be in `cacheDir`. A vector is what
 * sentence-transformers makes: the token embeddings averaged over the attention mask, then
 * L2-normalised. The library and the model load on the first `embed` (they take ~1 s and ~90 MB).
 */
export class LocalEmbedder implements Embedder {
  readonly model = `local:${LOCAL_MODEL}`;
  readonly dimensions = DIMENSIONS;
  readonly cacheDir: string;
  private loaded: Promise<Loaded> | undefined;

  constructor(options: { cacheDir?: string; batchSize?: number } = {}) {
    this.cacheDir = options.cacheDir ?? defaultModelCacheDir();
    this.batchSize = options.batchSize ?? 32;
  }

  private readonly batchSize: number;

  async embed(texts: readonly string[], options: { signal?: AbortSignal } = {}): Promise<Float32Array[]> {
    const { lib, tokenizer, model } = await (this.loaded ??= this.load());
    const vectors: Float32Array[] = [];
    for (let start = 0; start < texts.length; start += this.batchSize) {
      options.signal?.throwIfAborted();
      const batch = texts.slice(start, start + this.batchSize);
      const inputs = tokenizer(batch, { padding: true, truncation: true, max_length: MAX_TOKENS });
      const output = (await model(inputs)) as { last_hidden_state: InstanceType<Transformers['Tensor']> };
      const pooled = lib.mean_pooling(output.last_hidden_state, inputs.attention_mask).normalize(2, -1);
      const data = pooled.data as Float32Array;
      for (let i = 0; i < batch.length; i += 1) vectors.push(data.slice(i * DIMENSIONS, (i + 1) * DIMENSIONS));
    }
    return vectors;
  }

  private async load(): Promise<Loaded> {
    const dir = join(this.cacheDir, LOCAL_MODEL);
    for (const file of MODEL_FILES) {
      try {
        await access(join(dir, file));
      } catch {
        throw new EmbedderError('unavailable', `the local embedding model is not installed (${join(dir, file)} is missing); run scripts/setup.d/minilm.sh`, { model: this.model });
      }
    }
    const turn = loadQueue.then(async (): Promise<Loaded> => {
      const lib = await import('@huggingface/transformers');
      lib.env.allowRemoteModels = false;
      lib.env.allowLocalModels = true;
      lib.env.localModelPath = this.cacheDir;
      const tokenizer = await lib.AutoTokenizer.from_pretrained(LOCAL_MODEL, { local_files_only: true });
      const model = await lib.AutoModel.from_pretrained(LOCAL_MODEL, { local_files_only: true, dtype: 'q8', device: 'cpu' });
      return { lib, tokenizer, model };
    });
    loadQueue = turn.catch(() => undefined);
    return turn;
  }
}
