import { describe, expect, it } from 'vitest';
import { isLightspeedError } from '@lightspeed/ports';
import { BACKENDS, freshUniverse, useBackend } from './backends.js';

const conflict = (e: unknown) => isLightspeedError(e, 'conflict');
const notFound = (e: unknown) => isLightspeedError(e, 'not_found');
const doc = (text: string) => ({ displayName: 'Reviewer', instructions: { type: 'text', text }, config: { limits: { maxTurns: 4 } } });

describe.each(BACKENDS)('SqlProfileStore on %s', (name) => {
  const backend = useBackend(name);
  const profiles = (universe = freshUniverse()) => backend.storage().profiles(universe);

  it('creates at revision 1, replaces by compare-and-set, and refuses a stale revision with the figures', async () => {
    const store = profiles();
    const created = await store.create('reviewer', doc('v1'));
    expect(created).toMatchObject({ id: 'reviewer', revision: 1, document: doc('v1') });
    await expect(store.create('reviewer', doc('other'))).rejects.toSatisfy(conflict);
    const replaced = await store.put('reviewer', doc('v2'), 1);
    expect(replaced).toMatchObject({ revision: 2, document: doc('v2'), createdAt: created.createdAt });
    const stale = await store.put('reviewer', doc('v3'), 1).catch((e: unknown) => e);
    expect(stale).toSatisfy(conflict);
    expect(stale).toMatchObject({ details: { profileId: 'reviewer', expectedRevision: 1, actualRevision: 2 } });
    expect(await store.get('reviewer')).toEqual(replaced);
  });

  it('puts unconditionally without expectedRevision, and an identical document keeps its revision', async () => {
    const store = profiles();
    expect((await store.put('a', doc('x'))).revision).toBe(1);
    expect((await store.put('a', doc('x'))).revision).toBe(1);
    expect((await store.put('a', doc('x'), 1)).revision).toBe(1);
    expect((await store.put('a', doc('y'))).revision).toBe(2);
    // Key order does not make a document different: it is stored as canonical JSON.
    expect((await store.put('a', { config: { limits: { maxTurns: 4 } }, instructions: { text: 'y', type: 'text' }, displayName: 'Reviewer' })).revision).toBe(2);
    // expectedRevision is checked only when the profile exists (contract semantics).
    expect((await store.put('fresh', doc('z'), 7)).revision).toBe(1);
  });

  it('lets exactly one of several concurrent replacements at the same revision win', async () => {
    const store = profiles();
    await store.create('p', doc('base'));
    const results = await Promise.allSettled(Array.from({ length: 6 }, (_, i) => store.put('p', doc(`edit ${i}`), 1)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toSatisfy(conflict);
    expect((await store.get('p'))?.revision).toBe(2);
  });

  it('lists by id with a keyset cursor, deletes with an optional expected revision, and keeps universes apart', async () => {
    const universe = freshUniverse();
    const store = profiles(universe);
    for (const id of ['c', 'a', 'b']) await store.create(id, doc(id));
    const first = await store.list({ limit: 2 });
    expect(first.profiles.map((p) => p.id)).toEqual(['a', 'b']);
    expect((await store.list({ cursor: first.nextCursor! })).profiles.map((p) => p.id)).toEqual(['c']);
    expect((await profiles().list()).profiles).toEqual([]);
    await expect(store.delete('b', 5)).rejects.toSatisfy(conflict);
    expect((await store.delete('b', 1)).document).toEqual(doc('b'));
    await expect(store.delete('b')).rejects.toSatisfy(notFound);
    expect((await store.list()).profiles.map((p) => p.id)).toEqual(['a', 'c']);
  });

  it('refuses documents that are not plain JSON objects', async () => {
    const store = profiles();
    await expect(store.put('bad', [] as never)).rejects.toSatisfy((e: unknown) => isLightspeedError(e, 'invalid'));
    await expect(store.put('bad', { n: Number.NaN })).rejects.toSatisfy((e: unknown) => isLightspeedError(e, 'invalid'));
    await expect(store.put('', {})).rejects.toSatisfy((e: unknown) => isLightspeedError(e, 'invalid'));
  });
});
