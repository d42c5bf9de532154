import { describe, expect, it } from 'vitest';
import { applyChunks, parsePatch } from '../src/index.js';
import { harness } from './harness.js';

const files = {
  '/src/main.py': 'def greet(name):\n    print("hello", name)\n\n\ndef main():\n    greet("world")\n',
  '/src/old.txt': 'obsolete\n',
  '/README.md': '# Project\n',
};

const openai = () => harness({ apiKind: 'openai:responses', files });

describe('apply_patch (OpenAI surface)', () => {
  it('offers the Codex-shaped tools', async () => {
    const h = await openai();
    expect(h.descriptors.map((d) => d.name)).toEqual(['read_file', 'list_dir', 'grep_files', 'glob_files', 'apply_patch']);
  });

  it('adds, updates, moves and deletes files in one atomic commit', async () => {
    const h = await openai();
    const before = (await h.runtime.workspaces.head('ws')).revision;
    const patch = [
      '*** Begin Patch',
      '*** Add File: src/util.py',
      '+def shout(s):',
      '+    return s.upper()',
      '*** Update File: src/main.py',
      '@@ def greet(name):',
      '-    print("hello", name)',
      '+    print("hello,", name)',
      '*** Update File: README.md',
      '*** Move to: docs/README.md',
      '@@',
      ' # Project',
      '+More text.',
      '*** Delete File: src/old.txt',
      '*** End Patch',
    ].join('\n');
    const result = await h.call('apply_patch', { input: patch });
    expect(result.isError).toBe(false);
    expect(result.text).toBe(
      'Success. Updated the following files:\nA /workspace/src/util.py\nM /workspace/src/main.py\nM /workspace/README.md -> /workspace/docs/README.md\nD /workspace/src/old.txt',
    );
    expect(await h.readWorkspace('ws', '/src/util.py')).toBe('def shout(s):\n    return s.upper()\n');
    expect(await h.readWorkspace('ws', '/src/main.py')).toContain('print("hello,", name)');
    expect(await h.readWorkspace('ws', '/docs/README.md')).toBe('# Project\nMore text.\n');
    await expect(h.readWorkspace('ws', '/README.md')).rejects.toThrow(/does not exist/);
    await expect(h.readWorkspace('ws', '/src/old.txt')).rejects.toThrow(/does not exist/);
    expect((await h.runtime.workspaces.head('ws')).revision).toBe(before + 1);
  });

  it('a malformed patch is a clear error that shows the expected format', async () => {
    const h = await openai();
    const noBegin = await h.call('apply_patch', { input: '*** Update File: a\n-x\n+y\n*** End Patch' });
    expect(noBegin.isError).toBe(true);
    expect(noBegin.text).toMatch(/malformed patch \(line 1\): the first line must be "\*\*\* Begin Patch"/);
    expect(noBegin.text).toContain('Expected format:');
    const badLine = await h.call('apply_patch', { input: '*** Begin Patch\n*** Update File: src/main.py\n@@\n?? what\n*** End Patch' });
    expect(badLine.text).toMatch(/line 4\): a chunk line must start with/);
    const badAdd = await h.call('apply_patch', { input: '*** Begin Patch\n*** Add File: x.txt\nno plus\n*** End Patch' });
    expect(badAdd.text).toMatch(/must start with "\+"/);
  });

  it('a patch that does not apply changes nothing, even when earlier hunks would', async () => {
    const h = await openai();
    const before = await h.runtime.workspaces.head('ws');
    const patch = [
      '*** Begin Patch',
      '*** Add File: new.txt',
      '+new',
      '*** Update File: src/main.py',
      '@@',
      '-    print("goodbye", name)',
      '+    print("bye", name)',
      '*** End Patch',
    ].join('\n');
    const result = await h.call('apply_patch', { input: patch });
    expect(result.isError).toBe(true);
    expect(result.text).toMatch(/patch does not apply: chunk 1 of \/workspace\/src\/main\.py: these lines were not found/);
    expect(result.text).toMatch(/No files were changed/);
    expect((await h.runtime.workspaces.head('ws')).headRef).toBe(before.headRef);
  });

  it('refuses to add an existing file, update or delete a missing one', async () => {
    const h = await openai();
    expect((await h.call('apply_patch', { input: '*** Begin Patch\n*** Add File: README.md\n+x\n*** End Patch' })).text).toMatch(/already exists/);
    expect((await h.call('apply_patch', { input: '*** Begin Patch\n*** Delete File: nope.txt\n*** End Patch' })).text).toMatch(/does not exist/);
    expect((await h.call('apply_patch', { input: '*** Begin Patch\n*** Update File: nope.txt\n@@\n-a\n+b\n*** End Patch' })).text).toMatch(/does not exist/);
  });

  it('paths that escape the namespace are refused', async () => {
    const h = await openai();
    const result = await h.call('apply_patch', { input: '*** Begin Patch\n*** Add File: ../../../etc/evil\n+x\n*** End Patch' });
    expect(result.isError).toBe(true);
    expect(result.text).toMatch(/climbs above its root|not inside any mounted workspace/);
  });
});

describe('patch format and matching', () => {
  it('unwraps a heredoc and parses End of File chunks', () => {
    const ops = parsePatch("apply_patch <<'EOF'\n*** Begin Patch\n*** Update File: a.txt\n@@\n last\n+appended\n*** End of File\n*** End Patch\nEOF\n");
    expect(ops).toEqual([{ type: 'update', path: 'a.txt', chunks: [{ oldLines: ['last'], newLines: ['last', 'appended'], endOfFile: true }] }]);
  });

  it('matches context despite trailing-whitespace and indentation drift', () => {
    const text = 'a\n  b  \nc\n';
    expect(applyChunks('f', text, [{ oldLines: ['b', 'c'], newLines: ['B', 'c'], endOfFile: false }])).toBe('a\nB\nc\n');
  });

  it('anchors a chunk after its @@ line and applies several chunks in order', () => {
    const text = 'x = 1\ndef f():\n    x = 1\ndef g():\n    x = 1\n';
    const out = applyChunks('f', text, [
      { anchor: 'def f():', oldLines: ['    x = 1'], newLines: ['    x = 2'], endOfFile: false },
      { anchor: 'def g():', oldLines: ['    x = 1'], newLines: ['    x = 3'], endOfFile: false },
    ]);
    expect(out).toBe('x = 1\ndef f():\n    x = 2\ndef g():\n    x = 3\n');
  });
});
