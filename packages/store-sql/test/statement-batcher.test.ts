import { describe, expect, it } from 'vitest';
import { StatementBatcher } from '../src/statement-batcher.js';

/** A statement that takes until `release` is called, recording each batch it was given. */
function recorder() {
  const batches: string[][] = [];
  const pending: (() => void)[] = [];
  const run = async (key: string, items: string[]) => {
    batches.push([key, ...items]);
    await new Promise<void>((resolve) => pending.push(resolve));
    return items.map((item) => `${item}!`);
  };
  const release = () => pending.splice(0).forEach((resolve) => resolve());
  return { batches, run, release };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('StatementBatcher', () => {
  it('sends a lone call at once, gathers the calls made while a key is busy into one statement, and answers each caller', async () => {
    const { batches, run, release } = recorder();
    const batcher = new StatementBatcher(4, run, { onePerKey: true });
    const first = batcher.submit('u1', 'a');
    const later = ['b', 'c', 'd'].map((item) => batcher.submit('u1', item));
    const other = batcher.submit('u2', 'x');
    await tick();
    // u1 is busy with its first statement; u2 runs beside it.
    expect(batches).toEqual([['u1', 'a'], ['u2', 'x']]);
    release();
    expect(await first).toBe('a!');
    expect(await other).toBe('x!');
    await tick();
    expect(batches[2]).toEqual(['u1', 'b', 'c', 'd']);
    release();
    expect(await Promise.all(later)).toEqual(['b!', 'c!', 'd!']);
  });

  it('caps a statement by item count and by weight (always at least one item); a failed statement rejects each of its callers', async () => {
    const { batches, run, release } = recorder();
    const batcher = new StatementBatcher(1, run, { maxBatch: 3, weight: (item) => item.length, maxWeight: 4 });
    const blocker = batcher.submit('k', 'z');
    const calls = ['aa', 'bb', 'c', 'dddddd', 'e', 'f', 'g', 'h'].map((item) => batcher.submit('k', item));
    for (let i = 0; i < 6; i++) {
      await tick();
      release();
    }
    await Promise.all([blocker, ...calls]);
    expect(batches.map((b) => b.slice(1))).toEqual([['z'], ['aa', 'bb'], ['c'], ['dddddd'], ['e', 'f', 'g'], ['h']]);
    const failing = new StatementBatcher<string, string>(1, async () => {
      throw new Error('disk full');
    });
    await expect(Promise.all([failing.submit('k', 'a'), failing.submit('k', 'b')])).rejects.toThrow('disk full');
  });
});
