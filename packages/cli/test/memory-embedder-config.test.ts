import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FakeEmbedder, LocalEmbedder, OpenAICompatibleEmbedder } from '@lightspeed/memory';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryEmbedderFor } from '../src/runtime/memory-embedder.js';
import { parseServerConfig, ServerConfigError } from '../src/server-config/server-config.js';
import { cleanEnv, runCli, tempDir } from './support/cli-harness.js';

describe('memory.embedder in the server config file', () => {
  let home: { path: string; remove(): Promise<void> };
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    home = await tempDir('ls-cli-embedder-');
    env = cleanEnv(home.path);
  });
  afterAll(() => home.remove());

  it('config validate summarises the embedder (the key variable by name) and refuses unknown fields by name', async () => {
    const good = join(home.path, 'good.yaml');
    await writeFile(good, 'memory:\n  embedder:\n    kind: openai-compatible\n    baseUrl: http://127.0.0.1:11434/v1\n    model: nomic-embed-text\n    dimensions: 768\n    apiKeyEnv: EMBED_KEY\n');
    const ok = await runCli(['config', 'validate', '--config', good], { env });
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('  memory embedder: openai-compatible, nomic-embed-text at http://127.0.0.1:11434/v1 (key from $EMBED_KEY)\n');

    const bad = join(home.path, 'bad.yaml');
    await writeFile(bad, ['memory:', '  embedder:', '    kind: local', '    modle: all-MiniLM-L6-v2', '  indexer: {}', ''].join('\n'));
    const run = await runCli(['config', 'validate', '--config', bad], { env });
    expect(run.code).toBe(1);
    expect(run.stderr.split('\n')).toEqual([
      `${bad}:4:5: memory.embedder.modle: unknown field; see docs/server-config.md for the fields a server config file may have`,
      `${bad}:5:3: memory.indexer: unknown field; see docs/server-config.md for the fields a server config file may have`,
      `${bad}: 2 problems`,
      '',
    ]);
  });

  it('hands serve the configured embedder; --provider fake gets the fake one by default; otherwise none', () => {
    const local = parseServerConfig('memory: { embedder: { kind: local, cacheDir: /srv/models } }\n', 'server.yaml');
    const embedder = memoryEmbedderFor(local, {}, undefined);
    expect(embedder).toBeInstanceOf(LocalEmbedder);
    expect((embedder as LocalEmbedder).cacheDir).toBe('/srv/models');
    expect(memoryEmbedderFor(undefined, {}, 'fake')).toBeInstanceOf(FakeEmbedder);
    expect(memoryEmbedderFor(undefined, {}, 'openai')).toBeUndefined();
    // The file wins over the fake default.
    const fakeDims = parseServerConfig('memory: { embedder: { kind: fake, dimensions: 16 } }\n', 'server.yaml');
    expect(memoryEmbedderFor(fakeDims, {}, 'fake')!.dimensions).toBe(16);
    const remote = parseServerConfig('memory: { embedder: { kind: openai-compatible, baseUrl: "https://api.openai.com/v1", model: text-embedding-3-small, apiKeyEnv: EMBED_KEY } }\n', 'server.yaml');
    expect(memoryEmbedderFor(remote, { EMBED_KEY: 'sk-x' }, undefined)).toBeInstanceOf(OpenAICompatibleEmbedder);
  });

  it('an unset key variable is a located problem of the file naming the variable', () => {
    const text = 'memory:\n  embedder:\n    kind: openai-compatible\n    baseUrl: https://api.openai.com/v1\n    model: text-embedding-3-small\n    apiKeyEnv: EMBED_KEY\n';
    const config = parseServerConfig(text, 'server.yaml');
    const error = (() => {
      try {
        memoryEmbedderFor(config, {}, undefined);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ServerConfigError);
    expect((error as Error).message).toBe('server.yaml:6:5: memory.embedder.apiKeyEnv: the environment variable EMBED_KEY is not set');
  });
});
