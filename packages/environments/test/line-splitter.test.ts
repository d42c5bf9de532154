import { describe, expect, it } from 'vitest';
import { LineSplitter } from '../src/line-splitter.js';

describe('LineSplitter', () => {
  it('keeps a line and a multi-byte character split across chunks whole, and the unterminated last line', () => {
    const lines: string[] = [];
    const splitter = new LineSplitter((line) => lines.push(line));
    const bytes = Buffer.from('{"a":"café"}\n{"b":1}\nlast', 'utf8');
    const cut = bytes.indexOf(0xa9); // the second byte of é
    splitter.push(bytes.subarray(0, cut));
    expect(lines).toEqual([]);
    splitter.push(bytes.subarray(cut, cut + 3));
    splitter.push(bytes.subarray(cut + 3));
    expect(lines).toEqual(['{"a":"café"}', '{"b":1}']);
    splitter.end();
    expect(lines).toEqual(['{"a":"café"}', '{"b":1}', 'last']);
  });
});
