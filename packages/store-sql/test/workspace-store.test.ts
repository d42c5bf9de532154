import { describe, expect, it } from 'vitest';
import { refOfText } from '@lightspeed/engine';
import { isLightspeedError } from '@lightspeed/ports';
import { BACKENDS, freshUniverse, useBackend } from './backends.js';

const conflict = (e: unknown) => isLightspeedError(e, 'conflict');
const notFound = (e: unknown) => isLightspeedError(e, 'not_found');

describe.each(BACKENDS)('SqlWorkspaceStore on %s', (name) => {
  const backend = useBackend(name);
  const workspaces = (universe = freshUniverse()) => backend.storage().workspaces(universe);

  it('creates a workspace at revision 1 and moves its head by compare-and-set', async () => {
    const store = workspaces();
    const created = await store.create('ws', refOfText('tree 1'));
    expect(created).toMatchObject({ id: 'ws', headRef: refOfText('tree 1'), revision: 1 });
    await expect(store.create('ws', refOfText('other'))).rejects.toSatisfy(conflict);
    const updated = await store.update('ws', 1, refOfText('tree 2'));
    expect(updated).toMatchObject({ headRef: refOfText('tree 2'), revision: 2, createdAt: created.createdAt });
    expect(await store.get('ws')).toEqual(updated);
    const stale = await store.update('ws', 1, refOfText('tree 3')).catch((e: unknown) => e);
    expect(stale).toSatisfy(conflict);
    expect(stale).toMatchObject({ details: { expectedRevision: 1, actualRevision: 2 } });
    await expect(store.update('missing', 1, refOfText('x'))).rejects.toSatisfy(notFound);
    expect(await store.get('missing')).toBeUndefined();
  });

  it('stores a display name on create, keeps it across head moves, and replaces it when given', async () => {
    const store = workspaces();
    const named = await store.create('ws', refOfText('tree 1'), { displayName: 'Docs — draft' });
    expect(named.displayName).toBe('Docs — draft');
    expect((await store.get('ws'))?.displayName).toBe('Docs — draft');
    expect((await store.update('ws', 1, refOfText('tree 2'))).displayName).toBe('Docs — draft');
    expect((await store.update('ws', 2, refOfText('tree 3'), { displayName: 'Docs' })).displayName).toBe('Docs');
    expect((await store.list()).workspaces[0]?.displayName).toBe('Docs');
    const unnamed = await store.create('plain', refOfText('x'));
    expect('displayName' in unnamed).toBe(false);
    await expect(store.create('long', refOfText('x'), { displayName: 'x'.repeat(1_001) })).rejects.toSatisfy((e: unknown) => isLightspeedError(e, 'invalid'));
  });

  it('lets exactly one of several concurrent updates at the same revision win', async () => {
    const store = workspaces();
    await store.create('ws', refOfText('base'));
    const results = await Promise.allSettled(Array.from({ length: 6 }, (_, i) => store.update('ws', 1, refOfText(`edit ${i}`))));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toSatisfy(conflict);
    expect((await store.get('ws'))?.revision).toBe(2);
  });

  it('lists by id with a keyset cursor and deletes', async () => {
    const store = workspaces();
    for (const id of ['c', 'a', 'e', 'b', 'd']) await store.create(id, refOfText(id));
    const first = await store.list({ limit: 2 });
    expect(first.workspaces.map((w) => w.id)).toEqual(['a', 'b']);
    const second = await store.list({ limit: 2, cursor: first.nextCursor! });
    expect(second.workspaces.map((w) => w.id)).toEqual(['c', 'd']);
    const third = await store.list({ limit: 2, cursor: second.nextCursor! });
    expect(third).toEqual({ workspaces: [expect.objectContaining({ id: 'e' })] });
    await store.delete('c');
    await expect(store.delete('c')).rejects.toSatisfy(notFound);
    expect((await store.list()).workspaces.map((w) => w.id)).toEqual(['a', 'b', 'd', 'e']);
  });

  it('rejects malformed refs and ids at the boundary', async () => {
    const store = workspaces();
    await expect(store.create('ws', 'sha256:nothex' as never)).rejects.toSatisfy((e: unknown) => isLightspeedError(e, 'invalid'));
    await expect(store.create('', refOfText('x'))).rejects.toSatisfy((e: unknown) => isLightspeedError(e, 'invalid'));
  });

  it('a workspace of universe A is invisible to universe B', async () => {
    const a = workspaces();
    const b = workspaces();
    await a.create('ws', refOfText('a'));
    expect(await b.get('ws')).toBeUndefined();
    expect((await b.list()).workspaces).toEqual([]);
    await expect(b.update('ws', 1, refOfText('b'))).rejects.toSatisfy(notFound);
    await expect(b.delete('ws')).rejects.toSatisfy(notFound);
    expect((await b.create('ws', refOfText('b'))).revision).toBe(1);
    expect((await a.get('ws'))?.headRef).toBe(refOfText('a'));
  });
});
