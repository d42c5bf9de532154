import { getText } from '@lightspeed/cas';
import { describe, expect, it } from 'vitest';
import { MemoryWorkspaceStore } from '@lightspeed/vfs';
import { discoverSkills, promptInstructionEntries, SessionSkills, skillActivationEntry, skillCatalogEntry, splitFrontMatter } from '../src/index.js';
import { harness } from './harness.js';

const files = {
  '/.lightspeed/skills/pdf/SKILL.md': '---\nname: pdf-tools\ndescription: Extract text and tables from PDF files.\n---\n# PDF\nRun `extract.py` on the file.\n',
  '/.lightspeed/skills/pdf/extract.py': 'print("x")\n',
  '/skills/review/SKILL.md': '---\nname: code-review\ndescription: "Review a diff for bugs: correctness first."\n---\nLook at every changed line.\n',
  '/skills/broken/SKILL.md': 'no front matter here\n',
  '/skills/not-a-skill.md': '---\nname: stray\ndescription: not in a folder\n---\n',
  '/.lightspeed/prompts/20-style.md': 'Prefer small functions.\n',
  '/.lightspeed/prompts/10-tone.md': '---\ntitle: tone\n---\nBe concise.\n',
  '/.lightspeed/prompts/notes.txt': 'ignored: not markdown\n',
};

describe('skills', () => {
  it('discovers SKILL.md files under the conventional roots of every mount', async () => {
    const h = await harness({ files });
    const space = await h.runtime.files((await h.invocation('x', {})).sessionId);
    const { skills, problems } = await discoverSkills(space);
    expect(skills).toEqual([
      { skillId: '/workspace/skills/review', name: 'code-review', description: 'Review a diff for bugs: correctness first.', path: '/workspace/skills/review/SKILL.md' },
      { skillId: '/workspace/.lightspeed/skills/pdf', name: 'pdf-tools', description: 'Extract text and tables from PDF files.', path: '/workspace/.lightspeed/skills/pdf/SKILL.md' },
    ]);
    expect(problems).toEqual(['/workspace/skills/broken/SKILL.md: front matter needs a name and a description']);
  });

  it('builds a catalog entry and an activation entry with the body', async () => {
    const h = await harness({ files });
    const space = await h.runtime.files((await h.invocation('x', {})).sessionId);
    const { skills } = await discoverSkills(space);
    const catalog = await skillCatalogEntry(h.blobs, skills);
    expect(catalog.kind).toEqual({ type: 'skillCatalog' });
    const catalogText = await getText(h.blobs, catalog.contentRef);
    expect(catalogText).toContain('- code-review: Review a diff for bugs: correctness first. (/workspace/skills/review/SKILL.md)');
    expect(catalogText).toContain('- pdf-tools: Extract text and tables from PDF files.');
    expect(catalog.preview.length).toBeLessThanOrEqual(200);

    const activation = await skillActivationEntry(h.blobs, space, skills[1]!);
    expect(activation.kind).toEqual({ type: 'skillActivation', catalogId: 'skills:catalog', skillId: '/workspace/.lightspeed/skills/pdf' });
    const body = await getText(h.blobs, activation.contentRef);
    expect(body).toContain('# Skill: pdf-tools');
    expect(body).toContain('Run `extract.py` on the file.');
    expect(body).not.toContain('description:');
  });

  it('honours explicit roots', async () => {
    const h = await harness({ files });
    const space = await h.runtime.files((await h.invocation('x', {})).sessionId);
    expect((await discoverSkills(space, ['/skills'])).skills.map((s) => s.name)).toEqual(['code-review']);
  });

  it('parses front matter strictly', () => {
    expect(splitFrontMatter('---\nname: a\n---\nbody')).toEqual({ data: { name: 'a' }, body: 'body' });
    expect(splitFrontMatter('no front matter')).toBeUndefined();
    expect(splitFrontMatter('---\n- a list\n---\n')).toBeUndefined();
  });
});

describe('prompt files', () => {
  it('become instruction entries ordered by path, front matter stripped, non-markdown ignored', async () => {
    const h = await harness({ files });
    const space = await h.runtime.files((await h.invocation('x', {})).sessionId);
    const entries = await promptInstructionEntries(h.blobs, space);
    expect(entries.map((e) => e.key)).toEqual(['prompts:/workspace/.lightspeed/prompts/10-tone.md', 'prompts:/workspace/.lightspeed/prompts/20-style.md']);
    expect(entries.every((e) => e.kind.type === 'instructions')).toBe(true);
    expect(await getText(h.blobs, entries[0]!.contentRef)).toBe('Be concise.\n');
  });
});

describe('session context entries', () => {
  it('follow the granted vfs sub-features', async () => {
    const workspaceLinks = [{ path: '/workspace', access: 'readWrite', target: { type: 'workspace', workspaceId: 'ws' } }];
    const h = await harness({ files, features: { vfs: { tools: 'edit', workspaceLinks, skills: {}, prompts: {} } } });
    const sessionId = (await h.invocation('x', {})).sessionId;
    const entries = await h.runtime.contextEntries(sessionId);
    expect(entries.instructions).toHaveLength(2);
    expect(await getText(h.blobs, entries.vfsCatalog!.contentRef)).toContain('- /workspace (read-write)');
    expect(entries.skills.map((s) => s.name)).toEqual(['code-review', 'pdf-tools']);
    expect(entries.skillCatalog?.kind).toEqual({ type: 'skillCatalog' });
    const active = await h.runtime.activateSkill(sessionId, 'pdf-tools');
    expect(await getText(h.blobs, active.contentRef)).toContain('Run `extract.py`');
    await expect(h.runtime.activateSkill(sessionId, 'nope')).rejects.toThrow(/no skill "nope"; available: code-review, pdf-tools/);

    const plain = await harness({ files });
    const none = await plain.runtime.contextEntries((await plain.invocation('x', {})).sessionId);
    expect(none.instructions).toEqual([]);
    expect(none.skillCatalog).toBeUndefined();
    expect(none.vfsCatalog).toBeDefined();
  });
});

describe('session skills outside the runtime', () => {
  it('list and activate exactly what the runtime puts in the model context', async () => {
    const workspaces = new MemoryWorkspaceStore();
    const features = { vfs: { tools: 'readOnly', workspaceLinks: [{ path: '/workspace', access: 'readOnly', target: { type: 'workspace', workspaceId: 'ws' } }], skills: {} } };
    const h = await harness({ files, features, runtime: { workspaces } });
    const sessionId = (await h.invocation('x', {})).sessionId;
    const fromRuntime = await h.runtime.contextEntries(sessionId);

    const skills = new SessionSkills(h.blobs, workspaces, features);
    const catalog = (await skills.catalog())!;
    expect(catalog.skills).toEqual(fromRuntime.skills);
    expect(catalog.entry.contentRef).toBe(fromRuntime.skillCatalog!.contentRef);
    const { skill, entry } = await skills.activation('pdf-tools');
    expect(skill.skillId).toBe('/workspace/.lightspeed/skills/pdf');
    expect(entry).toEqual(await h.runtime.activateSkill(sessionId, '/workspace/.lightspeed/skills/pdf'));
    await expect(skills.activation('nope')).rejects.toMatchObject({ code: 'not_found' });

    const off = new SessionSkills(h.blobs, workspaces, { vfs: { workspaceLinks: features.vfs.workspaceLinks } });
    expect(await off.catalog()).toBeUndefined();
    await expect(off.activation('pdf-tools')).rejects.toMatchObject({ code: 'forbidden' });
  });
});
