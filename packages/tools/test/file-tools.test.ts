import { getJson } from '@lightspeed/cas';
import { describe, expect, it } from 'vitest';
import { harness } from './harness.js';

const files = {
  '/src/app.ts': 'import { a } from "./a";\nconsole.log(a);\nconsole.log(a);\n',
  '/src/a.ts': 'export const a = 1;\n',
  '/docs/guide.md': '# Guide\nUse TODO markers.\nTODO: write more\n',
  '/bin/blob.bin': 'PNG\0\0\u0001binary',
};

describe('Read', () => {
  it('returns numbered lines and honours offset and limit', async () => {
    const h = await harness({ files });
    const all = await h.call('Read', { file_path: '/workspace/src/app.ts' });
    expect(all.isError).toBe(false);
    expect(all.text).toBe('     1\timport { a } from "./a";\n     2\tconsole.log(a);\n     3\tconsole.log(a);');
    const range = await h.call('Read', { file_path: '/workspace/src/app.ts', offset: 2, limit: 1 });
    expect(range.text).toContain('     2\tconsole.log(a);');
    expect(range.text).toContain('[showing lines 2-2 of 3');
    expect(range.outcome.preview!.length).toBeLessThanOrEqual(200);
  });

  it('a missing file is an error result, not a throw', async () => {
    const h = await harness({ files });
    const result = await h.call('Read', { file_path: '/workspace/nope.ts' });
    expect(result.isError).toBe(true);
    expect(result.outcome.status).toBe('failed');
    expect(result.text).toMatch(/does not exist: \/workspace\/nope\.ts/);
  });

  it('detects binary files and refuses directories', async () => {
    const h = await harness({ files });
    expect((await h.call('Read', { file_path: '/workspace/bin/blob.bin' })).text).toMatch(/binary file/);
    expect((await h.call('Read', { file_path: '/workspace/src' })).text).toMatch(/is a directory/);
  });

  it('truncates very long lines and caps the number of lines', async () => {
    const long = 'x'.repeat(5000);
    const many = Array.from({ length: 3000 }, (_, i) => `line ${i + 1}`).join('\n');
    const h = await harness({ files: { '/long.txt': long, '/many.txt': many } });
    expect((await h.call('Read', { file_path: '/workspace/long.txt' })).text).toContain('[line truncated]');
    const read = await h.call('Read', { file_path: '/workspace/many.txt' });
    expect(read.text).toContain('line 2000');
    expect(read.text).not.toContain('line 2001');
    expect(read.text).toContain('[showing lines 1-2000 of 3000');
  });

  it('refuses files above the read size cap with a hint', async () => {
    const h = await harness({ files: { '/huge.log': 'z'.repeat(10 * 1024 * 1024 + 1) } });
    const result = await h.call('Read', { file_path: '/workspace/huge.log' });
    expect(result.isError).toBe(true);
    expect(result.text).toMatch(/10485761 bytes, above the 10485760-byte read cap. Use grep/);
  });

  it('rejects arguments that do not fit the schema and invalid JSON', async () => {
    const h = await harness({ files });
    expect((await h.call('Read', { path: '/workspace/src/a.ts' })).text).toMatch(/`file_path` is required/);
    expect((await h.call('Read', {}, { raw: '{"file_path": ' })).text).toMatch(/not valid JSON/);
    expect((await h.call('Read', { file_path: '/workspace/a.ts', offset: 0 })).text).toMatch(/`offset` must be an integer/);
  });

  it('refuses a path that climbs out of the namespace', async () => {
    const h = await harness({ files });
    const result = await h.call('Read', { file_path: '/workspace/../../etc/passwd' });
    expect(result.isError).toBe(true);
    expect(result.text).toMatch(/climbs above its root/);
  });
});

describe('Write and Edit', () => {
  it('Write creates a file with parents and commits it to the workspace', async () => {
    const h = await harness({ files });
    const result = await h.call('Write', { file_path: '/workspace/new/dir/file.txt', content: 'hello' });
    expect(result.isError).toBe(false);
    expect(result.outcome.effects).toEqual([{ kind: 'vfs.write', data: { path: '/workspace/new/dir/file.txt' } }]);
    expect(await h.readWorkspace('ws', '/new/dir/file.txt')).toBe('hello');
    expect((await h.runtime.workspaces.head('ws')).revision).toBe(3);
  });

  it('Edit replaces a unique string', async () => {
    const h = await harness({ files });
    const result = await h.call('Edit', { file_path: '/workspace/src/a.ts', old_string: '= 1', new_string: '= 2' });
    expect(result.isError).toBe(false);
    expect(await h.readWorkspace('ws', '/src/a.ts')).toBe('export const a = 2;\n');
  });

  it('Edit fails on a non-unique string unless replace_all', async () => {
    const h = await harness({ files });
    const ambiguous = await h.call('Edit', { file_path: '/workspace/src/app.ts', old_string: 'console.log(a);', new_string: 'log(a);' });
    expect(ambiguous.isError).toBe(true);
    expect(ambiguous.text).toMatch(/occurs 2 times/);
    expect(await h.readWorkspace('ws', '/src/app.ts')).toBe(files['/src/app.ts']);
    const all = await h.call('Edit', { file_path: '/workspace/src/app.ts', old_string: 'console.log(a);', new_string: 'log(a);', replace_all: true });
    expect(all.text).toMatch(/replaced 2 occurrences/);
    expect(await h.readWorkspace('ws', '/src/app.ts')).toBe('import { a } from "./a";\nlog(a);\nlog(a);\n');
  });

  it('Edit fails when the string is missing or the file does not exist', async () => {
    const h = await harness({ files });
    expect((await h.call('Edit', { file_path: '/workspace/src/a.ts', old_string: 'nope', new_string: 'x' })).text).toMatch(/not found/);
    expect((await h.call('Edit', { file_path: '/workspace/missing.ts', old_string: 'a', new_string: 'b' })).text).toMatch(/does not exist/);
    expect((await h.call('Edit', { file_path: '/workspace/src/a.ts', old_string: 'a', new_string: 'a' })).text).toMatch(/identical/);
  });

  it('a concurrent commit between read and write surfaces as a conflict the model sees', async () => {
    const h = await harness({ files });
    const call = await h.invocation('Edit', { file_path: '/workspace/src/a.ts', old_string: '= 1', new_string: '= 3' });
    // Another writer moves the head after the edit read it: simulate by racing two edits.
    const other = await h.invocation('Edit', { file_path: '/workspace/src/app.ts', old_string: 'import', new_string: 'import type' });
    const [first, second] = await Promise.all([h.runtime.invoke(call, { blobs: h.blobs }), h.runtime.invoke(other, { blobs: h.blobs })]);
    const outcomes = [first, second].map((o) => (o.status === 'deferred' ? undefined : o));
    const conflicts = outcomes.filter((o) => o?.isError && /changed concurrently/.test(o.preview ?? ''));
    expect(conflicts).toHaveLength(1);
    expect(outcomes.filter((o) => o && !o.isError)).toHaveLength(1);
  });

  it('read-only mounts refuse writes and the readOnly surface offers no write tools', async () => {
    const h = await harness({
      files,
      features: {
        vfs: {
          tools: 'edit',
          workspaceLinks: [
            { path: '/workspace', access: 'readWrite', target: { type: 'workspace', workspaceId: 'ws' } },
            { path: '/ref', access: 'readOnly', target: { type: 'workspace', workspaceId: 'ws' } },
          ],
        },
      },
    });
    const refused = await h.call('Write', { file_path: '/ref/x.txt', content: 'x' });
    expect(refused.isError).toBe(true);
    expect(refused.text).toMatch(/read-only mount \/ref/);
    expect((await h.call('Read', { file_path: '/ref/src/a.ts' })).text).toContain('export const a = 1;');

    const ro = await harness({ files, features: { vfs: { tools: 'readOnly', workspaceLinks: [{ path: '/w', access: 'readWrite', target: { type: 'workspace', workspaceId: 'ws' } }] } } });
    expect(ro.descriptors.map((d) => d.name)).toEqual(['Read', 'Grep', 'Glob', 'LS']);
    expect((await ro.call('Write', { file_path: '/w/x', content: '' })).outcome.status).toBe('unavailable');
  });
});

describe('LS and Glob', () => {
  it('LS lists a directory; the root shows mount points', async () => {
    const h = await harness({ files });
    expect((await h.call('LS', { path: '/workspace/src' })).text).toBe('/workspace/src/\n  a.ts (20 bytes)\n  app.ts (57 bytes)');
    expect((await h.call('LS', { path: '/' })).text).toBe('/\n  workspace/');
    expect((await h.call('LS', { path: '/workspace/nope' })).isError).toBe(true);
  });

  it('Glob finds files by pattern relative to the search path', async () => {
    const h = await harness({ files });
    expect((await h.call('Glob', { pattern: '**/*.ts', path: '/workspace' })).text).toBe('/workspace/src/a.ts\n/workspace/src/app.ts');
    expect((await h.call('Glob', { pattern: '*.md', path: '/workspace/docs' })).text).toBe('/workspace/docs/guide.md');
    expect((await h.call('Glob', { pattern: '**/*.py' })).text).toMatch(/No files match/);
  });
});

describe('Grep', () => {
  it('lists matching files by default and filters with a glob', async () => {
    const h = await harness({ files });
    expect((await h.call('Grep', { pattern: 'console\\.log' })).text).toBe('/workspace/src/app.ts');
    expect((await h.call('Grep', { pattern: 'a', glob: '*.md' })).text).toBe('/workspace/docs/guide.md');
  });

  it('content mode shows line numbers and context; count mode counts', async () => {
    const h = await harness({ files });
    const content = await h.call('Grep', { pattern: 'todo', '-i': true, output_mode: 'content', path: '/workspace/docs' });
    expect(content.text).toBe('/workspace/docs/guide.md:2:Use TODO markers.\n/workspace/docs/guide.md:3:TODO: write more');
    const context = await h.call('Grep', { pattern: 'write more', output_mode: 'content', '-B': 1, path: '/workspace/docs/guide.md' });
    expect(context.text).toBe('/workspace/docs/guide.md-2-Use TODO markers.\n/workspace/docs/guide.md:3:TODO: write more');
    expect((await h.call('Grep', { pattern: 'console', output_mode: 'count' })).text).toBe('/workspace/src/app.ts:2');
  });

  it('huge output is truncated with a notice', async () => {
    const big = Array.from({ length: 5000 }, (_, i) => `match ${i}`).join('\n');
    const h = await harness({ files: { '/big.txt': big } });
    const result = await h.call('Grep', { pattern: 'match', output_mode: 'content' });
    expect(result.isError).toBe(false);
    expect(result.text.split('\n').length).toBeLessThanOrEqual(1002);
    expect(result.text).toMatch(/\[results limited to 1000 lines; narrow the pattern/);
    const limited = await h.call('Grep', { pattern: 'match', output_mode: 'content', head_limit: 3 });
    expect(limited.text.split('\n').slice(0, 3)).toEqual(['/workspace/big.txt:1:match 0', '/workspace/big.txt:2:match 1', '/workspace/big.txt:3:match 2']);
    expect(limited.text).toMatch(/limited to 3 lines/);
  });

  it('a catastrophically backtracking regex is stopped with an error instead of hanging', async () => {
    const h = await harness({ files: { '/evil.txt': `${'a'.repeat(40)}!\n` } });
    const started = Date.now();
    const result = await h.call('Grep', { pattern: '(a+)+$' });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(result.isError).toBe(true);
    expect(result.text).toMatch(/took longer than 1000 ms .* simplify the pattern/);
  });

  it('multiline patterns match across lines', async () => {
    const h = await harness({ files });
    const result = await h.call('Grep', { pattern: 'Guide\\nUse', multiline: true, output_mode: 'content' });
    expect(result.text).toBe('/workspace/docs/guide.md:1:# Guide\n/workspace/docs/guide.md:2:Use TODO markers.');
  });

  it('an invalid regex is a clear tool error', async () => {
    const h = await harness({ files });
    const result = await h.call('Grep', { pattern: '(unclosed' });
    expect(result.isError).toBe(true);
    expect(result.text).toMatch(/Invalid regular expression/);
  });
});

describe('tool definitions', () => {
  it('are written to CAS with description and input schema', async () => {
    const h = await harness({ files });
    const read = h.descriptors.find((d) => d.name === 'Read')!;
    expect(read).toMatchObject({ logical: 'vfs.read', parallelism: 'parallelSafe' });
    const definition = await getJson<{ description: string; inputSchema: { required: string[] } }>(h.blobs, read.definitionRef);
    expect(definition.inputSchema.required).toEqual(['file_path']);
    expect(h.descriptors.find((d) => d.name === 'Edit')!.parallelism).toBe('exclusive');
  });
});
