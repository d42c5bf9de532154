import { getJson, getText, MemoryBlobStore, putText } from '@lightspeed/cas';
import type { ToolCallOutcome, ToolDescriptor, ToolInvocation } from '@lightspeed/engine';
import { MemoryWorkspaceStore, type TreeChange } from '@lightspeed/vfs';
import { ToolRuntime, type SessionToolContext, type ToolRuntimeOptions } from '../src/index.js';

const encoder = new TextEncoder();

export interface Harness {
  runtime: ToolRuntime;
  blobs: MemoryBlobStore;
  descriptors: ToolDescriptor[];
  call(name: string, args: unknown, options?: { signal?: AbortSignal; raw?: string }): Promise<CallResult>;
  invocation(name: string, args: unknown, callId?: string): Promise<ToolInvocation>;
  readWorkspace(workspaceId: string, path: string): Promise<string>;
}

export interface CallResult {
  outcome: Extract<ToolCallOutcome, { resultRef: unknown }>;
  text: string;
  isError: boolean;
}

let counter = 0;

/** A runtime over memory stores with one workspace `ws` (pre-filled with `files`) mounted at /workspace. */
export async function harness(options: {
  apiKind?: string;
  files?: Record<string, string>;
  features?: Record<string, unknown>;
  context?: Omit<SessionToolContext, 'sessionId'>;
  runtime?: Partial<ToolRuntimeOptions>;
}): Promise<Harness> {
  const blobs = new MemoryBlobStore();
  const runtime = new ToolRuntime({ blobs, workspaces: new MemoryWorkspaceStore(), ...options.runtime });
  await runtime.workspaces.create('ws');
  const changes: TreeChange[] = Object.entries(options.files ?? {}).map(([path, content]) => ({ op: 'write', path, content: encoder.encode(content) }));
  if (changes.length) await runtime.workspaces.commit('ws', changes);
  const sessionId = `s${++counter}`;
  if (options.context) runtime.forSession({ sessionId, ...options.context });
  const features = options.features ?? {
    vfs: { tools: 'edit', workspaceLinks: [{ path: '/workspace', access: 'readWrite', target: { type: 'workspace', workspaceId: 'ws' } }] },
  };
  const descriptors = await runtime.resolve({ sessionId, apiKind: options.apiKind ?? 'anthropic:messages', features });
  const byName = new Map(descriptors.map((d) => [d.name, d]));
  const invocation = async (name: string, args: unknown, callId = `c${++counter}`, raw?: string): Promise<ToolInvocation> => ({
    sessionId,
    runId: 'r1',
    turnId: 't1',
    batchId: 'b1',
    callId,
    name,
    argumentsRef: await putText(blobs, raw ?? JSON.stringify(args)),
    parallelism: byName.get(name)?.parallelism ?? 'exclusive',
  });
  return {
    runtime,
    blobs,
    descriptors,
    invocation: (name, args, callId) => invocation(name, args, callId),
    async call(name, args, callOptions = {}) {
      const call = await invocation(name, args, undefined, callOptions.raw);
      const outcome = await runtime.invoke(call, { blobs, ...(callOptions.signal ? { signal: callOptions.signal } : {}) });
      if (outcome.status === 'deferred') throw new Error('unexpected deferred outcome');
      const stat = await blobs.stat(outcome.resultRef);
      const text = stat?.mediaType === 'application/json' ? JSON.stringify(await getJson(blobs, outcome.resultRef)) : await getText(blobs, outcome.resultRef);
      return { outcome, text, isError: outcome.isError };
    },
    async readWorkspace(workspaceId, path) {
      const head = await runtime.workspaces.head(workspaceId);
      const { readFile } = await import('@lightspeed/vfs');
      return new TextDecoder().decode(await readFile(runtime.workspaces.nodes, head.headRef, path));
    },
  };
}
