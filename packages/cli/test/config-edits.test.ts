import { describe, expect, it } from 'vitest';
import { applyConfigEdits, parseSet, parseUnset } from '../src/commands/config-edits.js';

describe('sessions config --set / --unset edits', () => {
  it('parse values as JSON when they are JSON, as text otherwise', () => {
    expect(parseSet('limits.maxTurns=8')).toEqual({ op: 'set', path: ['limits', 'maxTurns'], value: 8 });
    expect(parseSet('features.vfs.skills={}')).toEqual({ op: 'set', path: ['features', 'vfs', 'skills'], value: {} });
    expect(parseSet('generation.reasoningEffort=low')).toEqual({ op: 'set', path: ['generation', 'reasoningEffort'], value: 'low' });
    expect(parseSet('a=x=y')).toEqual({ op: 'set', path: ['a'], value: 'x=y' });
  });

  it('refuse malformed paths and prototype keys', () => {
    expect(() => parseSet('=1')).toThrow(/expected PATH=VALUE/);
    expect(() => parseSet('limits..maxTurns=1')).toThrow(/dotted path/);
    expect(() => parseUnset('__proto__.polluted')).toThrow(/dotted path/);
  });

  it('create missing objects on set, leave the document alone when an unset path is absent, and never edit the input', () => {
    const document = { model: { providerId: 'fake' }, limits: { maxTurns: 4 } };
    const edited = applyConfigEdits(document, [parseSet('features.vfs.skills={}'), parseUnset('limits.maxTurns'), parseUnset('context.compaction.mode')]);
    expect(edited).toEqual({ model: { providerId: 'fake' }, limits: {}, features: { vfs: { skills: {} } } });
    expect(document.limits.maxTurns).toBe(4);
  });

  it('refuse to descend into a value that is not an object', () => {
    expect(() => applyConfigEdits({ model: 'x' }, [parseSet('model.providerId=fake')])).toThrow(/model is not an object/);
  });
});
