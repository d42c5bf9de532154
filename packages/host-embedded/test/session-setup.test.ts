import { putJson, putText } from '@lightspeed/cas';
import type { ToolPortFactory } from '@lightspeed/driver';
import type { Command } from '@lightspeed/engine';
import type { LlmPort, SessionStore } from '@lightspeed/ports';
import { describe, expect, it } from 'vitest';
import { EmbeddedHost, memoryStores, type EmbeddedStores } from '../src/index.js';

const ref = { universe: 'u', sessionId: 's' };
const open: Command = { type: 'session.open', sessionId: 's', config: { model: { providerId: 'fake', apiKind: 'openai:responses', model: 'm' } } };

// Session setup never calls the model; admission only asks it to check the selection.
const llm = { validateParams: () => undefined } as unknown as LlmPort;

/** A tool runtime with one tool and one feature-contributed context entry (like a prompt file). */
const tools: ToolPortFactory = ({ blobs }) => ({
  async resolve() {
    return [{ name: 'lookup', parallelism: 'parallelSafe' as const, definitionRef: await putJson(blobs, { description: 'looks up', inputSchema: { type: 'object' } }) }];
  },
  async invoke() {
    throw new Error('not called');
  },
  async sessionContext() {
    return [{ key: 'prompts:AGENTS.md', kind: { type: 'instructions' as const }, contentRef: await putText(blobs, 'Be brief.'), preview: 'Be brief.' }];
  },
});

/** The same stores, whose session appends after the first `allowed` fail (the process died mid-write). */
function failingAfter(stores: EmbeddedStores, allowed: number): EmbeddedStores {
  let appends = 0;
  return {
    ...stores,
    sessions(universe) {
      const store = stores.sessions(universe);
      return Object.assign(Object.create(store) as SessionStore, {
        append: ((sessionId, expectedHead, entries, projection) => {
          if (++appends > allowed) return Promise.reject(new Error('process died mid-append'));
          return store.append(sessionId, expectedHead, entries, projection);
        }) satisfies SessionStore['append'],
      });
    },
  };
}

describe('embedded session setup', () => {
  it('commits the toolset and the feature context in one append after session.open', async () => {
    const stores = memoryStores();
    const appends: string[][] = [];
    const counting: EmbeddedStores = {
      ...stores,
      sessions(universe) {
        const store = stores.sessions(universe);
        return Object.assign(Object.create(store) as SessionStore, {
          append: ((sessionId, expectedHead, entries, projection) => {
            appends.push(entries.map((e) => e.kind));
            return store.append(sessionId, expectedHead, entries, projection);
          }) satisfies SessionStore['append'],
        });
      },
    };
    const host = await EmbeddedHost.start({ stores: counting, llm, tools });
    expect(await host.submit(ref, open)).toMatchObject({ ok: true });
    expect(appends).toEqual([['session.opened'], ['tools.replaced', 'context.put']]);
    await host.close();
  });

  it.each([1, 2])('a process dying after %i append(s) of session.open and its setup leaves a session that the next start completes', async (allowed) => {
    const stores = memoryStores();
    const crashing = await EmbeddedHost.start({ stores: failingAfter(stores, allowed), llm, tools });
    await crashing.submit(ref, open).catch(() => undefined);
    await crashing.close();
    // All of the setup or none of it: never a toolset without its context.
    const kinds = (await stores.sessions('u').read('s', {})).map((e) => e.kind);
    expect([['session.opened'], ['session.opened', 'tools.replaced', 'context.put']]).toContainEqual(kinds);

    const restarted = await EmbeddedHost.start({ stores, llm, tools });
    const state = (await restarted.state(ref))!;
    expect(state.tools.tools.map((t) => t.name)).toEqual(['lookup']);
    expect(state.context.entries.map((e) => e.key)).toContain('prompts:AGENTS.md');
    await restarted.close();
  });
});
