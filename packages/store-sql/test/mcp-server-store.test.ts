import { describe, expect, it } from 'vitest';
import { isLightspeedError, type McpServerDocument } from '@lightspeed/ports';
import { BACKENDS, freshUniverse, useBackend } from './backends.js';

const doc = (serverId: string, extra: Partial<McpServerDocument> = {}): McpServerDocument => ({
  serverId,
  defaultServerLabel: serverId,
  transport: 'streamableHttp',
  serverUrl: 'https://mcp.example/mcp',
  bearerTokenEnvVar: 'EXAMPLE_TOKEN',
  approvalDefault: 'never',
  authPolicy: { type: 'requiredBearer' },
  status: 'active',
  ...extra,
});

describe.each(BACKENDS)('SqlMcpServerStore on %s', (name) => {
  const backend = useBackend(name);
  const servers = (universe = freshUniverse()) => backend.storage().mcpServers(universe);

  it('creates, replaces with and without a revision check, lists and deletes', async () => {
    const store = servers();
    const created = await store.put(doc('b'));
    expect(created).toMatchObject({ revision: 1, document: doc('b') });
    const replaced = await store.put(doc('b', { displayName: 'B' }), 1);
    expect(replaced).toMatchObject({ revision: 2, createdAt: created.createdAt, document: { displayName: 'B' } });
    const stale = await store.put(doc('b'), 1).catch((e: unknown) => e);
    expect(isLightspeedError(stale, 'conflict')).toBe(true);
    expect(stale).toMatchObject({ details: { expectedRevision: 1, actualRevision: 2 } });
    expect((await store.put(doc('b'))).revision).toBe(3);
    // The contract checks expectedRevision only against an existing record.
    expect((await store.put(doc('a'), 7)).revision).toBe(1);
    expect((await store.list()).map((r) => r.document.serverId)).toEqual(['a', 'b']);
    expect((await store.delete('a')).document.serverId).toBe('a');
    expect(await store.get('a')).toBeUndefined();
    await expect(store.delete('a')).rejects.toSatisfy((e: unknown) => isLightspeedError(e, 'not_found'));
  });

  it('keeps universes apart and refuses ids outside the tool-name alphabet', async () => {
    const one = servers();
    const two = servers();
    await one.put(doc('shared'));
    expect(await two.get('shared')).toBeUndefined();
    expect(await two.list()).toEqual([]);
    await expect(one.put(doc('bad id'))).rejects.toSatisfy((e: unknown) => isLightspeedError(e, 'invalid'));
  });

  it('lets exactly one of several concurrent guarded replaces win', async () => {
    const store = servers();
    await store.put(doc('race'));
    const results = await Promise.allSettled(Array.from({ length: 5 }, (_, i) => store.put(doc('race', { description: String(i) }), 1)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect((await store.get('race'))?.revision).toBe(2);
  });
});
