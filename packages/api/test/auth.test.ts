import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { hashApiKey, MemoryApiKeyRegistry } from '../src/auth/api-key-registry.js';
import { apiKeyAuth, assertBindAllowed, isLoopbackHost, singleUserAuth } from '../src/auth/gateway-auth.js';
import { JsonFileApiKeyRegistry } from '../src/auth/json-file-api-key-registry.js';
import { b64, rpc, storageGateway } from './support/storage-gateway.js';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('API keys', () => {
  it('are returned in plaintext once and stored only as their SHA-256 hash', async () => {
    const registry = new MemoryApiKeyRegistry();
    const { key, record } = await registry.createApiKey('u1');
    expect(key).toMatch(/^lsk_[a-f0-9]{12}_/);
    expect(record.hash).toBe(hashApiKey(key));
    expect(JSON.stringify(await registry.list())).not.toContain(key.slice('lsk_'.length + 12 + 1));
    expect(await registry.resolve(key)).toBe('u1');
  });

  it('resolve nothing for unknown, tampered or revoked keys', async () => {
    const registry = new MemoryApiKeyRegistry();
    const { key, record } = await registry.createApiKey('u1');
    const tampered = key.slice(0, -1) + (key.endsWith('A') ? 'B' : 'A');
    expect(await registry.resolve(tampered)).toBeUndefined();
    expect(await registry.resolve('lsk_000000000000_' + 'a'.repeat(43))).toBeUndefined();
    expect(await registry.resolve('garbage')).toBeUndefined();
    expect(await registry.revoke(record.keyId)).toBe(true);
    expect(await registry.resolve(key)).toBeUndefined();
  });

  it('persist hashes (never plaintext) in an owner-only JSON file that survives reopening', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ls-keys-'));
    dirs.push(dir);
    const path = join(dir, 'keys', 'api-keys.json');
    const registry = await JsonFileApiKeyRegistry.open(path);
    const { key } = await registry.createApiKey('team-a');
    const text = await readFile(path, 'utf8');
    expect(text).toContain(hashApiKey(key));
    expect(text).not.toContain(key);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    const reopened = await JsonFileApiKeyRegistry.open(path);
    expect(await reopened.resolve(key)).toBe('team-a');
  });

  it('in a file see keys created and revoked by another process from the next lookup on', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ls-keys-'));
    dirs.push(dir);
    const path = join(dir, 'api-keys.json');
    // The serving registry is opened first and never told about the changes: it must read the file.
    const serving = await JsonFileApiKeyRegistry.open(path);
    const admin = await JsonFileApiKeyRegistry.open(path);
    const { key, record } = await admin.createApiKey('team-b', { name: 'ci' });
    expect(await serving.resolve(key)).toBe('team-b');
    expect((await serving.list()).map((listed) => listed.name)).toEqual(['ci']);
    await (await JsonFileApiKeyRegistry.open(path)).revoke(record.keyId);
    expect(await serving.resolve(key)).toBeUndefined();
  });

  it('in a file are not lost when two writers change the file at once', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ls-keys-'));
    dirs.push(dir);
    const path = join(dir, 'api-keys.json');
    const writers = await Promise.all([JsonFileApiKeyRegistry.open(path), JsonFileApiKeyRegistry.open(path), JsonFileApiKeyRegistry.open(path)]);
    const created = await Promise.all(Array.from({ length: 12 }, (_, i) => writers[i % 3]!.createApiKey(`u${i}`)));
    const reader = await JsonFileApiKeyRegistry.open(path);
    expect((await reader.list()).map((listed) => listed.keyId).sort()).toEqual(created.map((c) => c.record.keyId).sort());
    expect((await readdir(dir)).sort()).toEqual(['api-keys.json']);
  });

  it('in a file that became unreadable fail closed with a corrupt error', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ls-keys-'));
    dirs.push(dir);
    const path = join(dir, 'api-keys.json');
    const registry = await JsonFileApiKeyRegistry.open(path);
    const { key } = await registry.createApiKey('u1');
    await writeFile(path, '{"version": 1, "keys": [');
    await expect(registry.resolve(key)).rejects.toMatchObject({ code: 'corrupt' });
  });
});

describe('gateway authentication', () => {
  it('takes the universe from the key, never from headers or params', async () => {
    const registry = new MemoryApiKeyRegistry();
    const alice = await registry.createApiKey('alice');
    const bob = await registry.createApiKey('bob');
    const { app } = storageGateway(apiKeyAuth(registry));
    const put = await rpc(
      app,
      { jsonrpc: '2.0', id: 1, method: 'blobs/put', params: { blobs: [{ bytesBase64: b64('alice secret') }], universe: 'bob' } },
      { authorization: `Bearer ${alice.key}`, 'x-universe': 'bob' },
    );
    const ref = put.json.result.result.blobs[0].blobRef;
    const asAlice = await rpc(app, { jsonrpc: '2.0', id: 2, method: 'blobs/has', params: { blobRefs: [ref] } }, { authorization: `Bearer ${alice.key}` });
    const asBob = await rpc(app, { jsonrpc: '2.0', id: 3, method: 'blobs/read', params: { blobRef: ref } }, { authorization: `Bearer ${bob.key}`, 'x-universe': 'alice' });
    expect(asAlice.json.result.result.blobs[0].exists).toBe(true);
    expect(asBob.json.error.data.kind).toBe('not_found');
  });

  it('answers 401 with a JSON-RPC error for a missing or unknown key', async () => {
    const { app } = storageGateway(apiKeyAuth(new MemoryApiKeyRegistry()));
    for (const headers of [{}, { authorization: 'Bearer lsk_nope' }, { authorization: 'Basic abc' }] as Record<string, string>[]) {
      const { status, json } = await rpc(app, { jsonrpc: '2.0', id: 1, method: 'initialize' }, headers);
      expect(status).toBe(401);
      expect(json.error).toMatchObject({ code: -32001, data: { kind: 'rejected' } });
    }
  });

  it('needs no key in single-user mode', async () => {
    const { app } = storageGateway(singleUserAuth('me'));
    const { json } = await rpc(app, { jsonrpc: '2.0', id: 1, method: 'initialize' });
    expect(json.result.result.protocolVersion).toBe('lightspeed.agent.api.v1');
  });

  it('allows single-user mode on loopback only unless explicitly opted in', () => {
    for (const host of ['127.0.0.1', 'localhost', '::1', '[::1]', '127.0.0.2']) expect(isLoopbackHost(host)).toBe(true);
    for (const host of ['0.0.0.0', '::', '192.168.1.4', 'example.com']) expect(isLoopbackHost(host)).toBe(false);
    expect(() => assertBindAllowed('0.0.0.0', singleUserAuth())).toThrow(/refusing/);
    expect(() => assertBindAllowed('0.0.0.0', singleUserAuth(), { allowUnauthenticatedNetwork: true })).not.toThrow();
    expect(() => assertBindAllowed('0.0.0.0', apiKeyAuth(new MemoryApiKeyRegistry()))).not.toThrow();
    expect(() => assertBindAllowed('127.0.0.1', singleUserAuth())).not.toThrow();
  });
});
