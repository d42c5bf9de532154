import type { ToolCallOutcome, ToolInvocation } from '@lightspeed/engine';
import { MemoryBlobStore } from '@lightspeed/cas';
import { MemoryWorkspaceStore } from '@lightspeed/vfs';
import { describe, expect, it } from 'vitest';
import { runBatch, ToolRuntime } from '../src/index.js';
import { harness } from './harness.js';

const call = (callId: string, parallelism: 'parallelSafe' | 'exclusive'): ToolInvocation => ({
  sessionId: 's',
  runId: 'r',
  turnId: 't',
  batchId: 'b',
  callId,
  name: callId,
  argumentsRef: 'sha256:0000000000000000000000000000000000000000000000000000000000000000',
  parallelism,
});

describe('runBatch', () => {
  it('runs parallel-safe calls concurrently (bounded) and exclusive calls alone, reporting each as it finishes', async () => {
    const log: string[] = [];
    let running = 0;
    let maxRunning = 0;
    const exclusiveOverlap: string[] = [];
    const invoke = async (c: ToolInvocation): Promise<ToolCallOutcome> => {
      running += 1;
      maxRunning = Math.max(maxRunning, running);
      if (c.parallelism === 'exclusive' && running > 1) exclusiveOverlap.push(c.callId);
      log.push(`start ${c.callId}`);
      await new Promise((r) => setTimeout(r, c.callId === 'r1' ? 40 : 10));
      running -= 1;
      log.push(`end ${c.callId}`);
      return { status: 'succeeded', resultRef: c.argumentsRef, isError: false, preview: c.callId };
    };
    const finished: string[] = [];
    const calls = [call('r1', 'parallelSafe'), call('r2', 'parallelSafe'), call('r3', 'parallelSafe'), call('w1', 'exclusive'), call('r4', 'parallelSafe')];
    const outcomes = await runBatch(calls, invoke, { blobs: new MemoryBlobStore() }, { concurrency: 2, onFinished: (c) => void finished.push(c.callId) });
    expect(outcomes.map((o) => (o.status === 'deferred' ? '' : o.preview))).toEqual(['r1', 'r2', 'r3', 'w1', 'r4']);
    expect(maxRunning).toBe(2);
    expect(exclusiveOverlap).toEqual([]);
    // r2 and r3 finish before the slow r1: each is reported the moment it is done.
    expect(finished.slice(0, 3)).toEqual(['r2', 'r3', 'r1']);
    expect(log.indexOf('start w1')).toBeGreaterThan(log.indexOf('end r1'));
    expect(log.indexOf('start r4')).toBeGreaterThan(log.indexOf('end w1'));
  });

  it('the runtime batches real tool calls', async () => {
    const h = await harness({ files: { '/a.txt': 'alpha\n', '/b.txt': 'beta\n' } });
    const calls = [
      await h.invocation('Read', { file_path: '/workspace/a.txt' }),
      await h.invocation('Read', { file_path: '/workspace/b.txt' }),
      await h.invocation('Write', { file_path: '/workspace/c.txt', content: 'gamma' }),
      await h.invocation('Read', { file_path: '/workspace/c.txt' }),
    ];
    const finished: string[] = [];
    const outcomes = await h.runtime.runBatch(calls, { blobs: h.blobs }, { onFinished: (c) => void finished.push(c.callId) });
    expect(outcomes.map((o) => (o.status === 'deferred' ? '' : o.preview))).toEqual(['     1\talpha', '     1\tbeta', 'Created /workspace/c.txt (5 bytes).', '     1\tgamma']);
    expect(finished.sort()).toEqual(calls.map((c) => c.callId).sort());
  });
});

describe('ToolRuntime.resolve', () => {
  it('maps the same logical tools to per-family names', async () => {
    const anthropic = await harness({});
    const openai = await harness({ apiKind: 'openai:completions' });
    expect(anthropic.descriptors.map((d) => `${d.name}=${d.logical}`)).toEqual([
      'Read=vfs.read',
      'Grep=vfs.grep',
      'Glob=vfs.glob',
      'LS=vfs.list',
      'Write=vfs.write',
      'Edit=vfs.edit',
    ]);
    expect(openai.descriptors.map((d) => `${d.name}=${d.logical}`)).toEqual([
      'read_file=vfs.read',
      'list_dir=vfs.list',
      'grep_files=vfs.grep',
      'glob_files=vfs.glob',
      'apply_patch=vfs.apply_patch',
    ]);
  });

  it('grants nothing without features and rejects malformed features', async () => {
    const h = await harness({ features: {} });
    expect(h.descriptors).toEqual([]);
    const runtime = new ToolRuntime({ blobs: new MemoryBlobStore(), workspaces: new MemoryWorkspaceStore() });
    await expect(runtime.resolve({ sessionId: 'x', apiKind: 'openai:responses', features: { vfs: { tools: 'everything' } } })).rejects.toThrow(/vfs.tools must be/);
    await expect(runtime.resolve({ sessionId: 'x', apiKind: 'openai:responses', features: { vfs: { workspaceLinks: [{ path: '/w', access: 'readWrite', target: { type: 'nope' } }] } } })).rejects.toThrow(
      /needs a target/,
    );
  });

  it('invoking for a session that was never resolved is a transient infrastructure error unless a provider can load it', async () => {
    const blobs = new MemoryBlobStore();
    const bare = new ToolRuntime({ blobs, workspaces: new MemoryWorkspaceStore() });
    // `unavailable` is what the driver retries: the host may simply not serve the session yet.
    await expect(bare.invoke(call('Read', 'parallelSafe'), { blobs })).rejects.toMatchObject({ code: 'unavailable', message: expect.stringMatching(/not resolved yet/) });

    const store = new MemoryWorkspaceStore();
    const loading = new ToolRuntime({
      blobs,
      workspaces: store,
      sessions: {
        load: async (sessionId) => ({
          context: { sessionId },
          apiKind: 'anthropic:messages',
          features: { vfs: { tools: 'edit', workspaceLinks: [{ path: '/w', access: 'readWrite', target: { type: 'workspace', workspaceId: 'ws' } }] } },
        }),
      },
    });
    await loading.workspaces.create('ws');
    const { putText } = await import('@lightspeed/cas');
    const outcome = await loading.invoke({ ...call('Write', 'exclusive'), argumentsRef: await putText(blobs, '{"file_path":"/w/x.txt","content":"x"}') }, { blobs });
    expect(outcome).toMatchObject({ status: 'succeeded', isError: false });
  });

  it('keeps at most maxResolvedSessions resolved, least recently used dropped first and resolved again on its next call', async () => {
    const blobs = new MemoryBlobStore();
    const loads: string[] = [];
    const runtime = new ToolRuntime({
      blobs,
      workspaces: new MemoryWorkspaceStore(),
      maxResolvedSessions: 2,
      sessions: {
        load: async (sessionId) => {
          loads.push(sessionId);
          return { context: { sessionId }, apiKind: 'anthropic:messages', features: { vfs: { tools: 'edit', workspaceLinks: [{ path: '/w', access: 'readWrite', target: { type: 'workspace', workspaceId: 'ws' } }] } } };
        },
      },
    });
    await runtime.workspaces.create('ws');
    const { putText } = await import('@lightspeed/cas');
    const argumentsRef = await putText(blobs, '{"file_path":"/w/x.txt","content":"x"}');
    const write = (sessionId: string) => runtime.invoke({ ...call('Write', 'exclusive'), sessionId, argumentsRef }, { blobs });
    for (const id of ['a', 'b', 'a', 'c']) expect(await write(id)).toMatchObject({ status: 'succeeded' });
    // `a` was used again before `c` came, so `b` (least recently used) was dropped, not `a`.
    expect(loads).toEqual(['a', 'b', 'c']);
    await write('a');
    expect(loads).toEqual(['a', 'b', 'c']);
    await write('b');
    expect(loads).toEqual(['a', 'b', 'c', 'b']);
  });
});
