import { MemoryBlobStore } from '@lightspeed/cas';
import { startFakeProvider, type FakeProvider } from '@lightspeed/fake-provider';
import { EmbeddedHost } from '@lightspeed/host-embedded';
import { ProviderRegistry, ProviderRouter } from '@lightspeed/llm';
import { MemorySessionStore } from '@lightspeed/store-memory';
import { ToolRuntime } from '@lightspeed/tools';
import { MemoryWorkspaceStore, Workspaces } from '@lightspeed/vfs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { singleUserAuth } from '../src/auth/gateway-auth.js';
import { createGateway } from '../src/gateway/create-gateway.js';
import { serveGateway, type ServingGateway } from '../src/gateway/serve.js';

const model = { providerId: 'fake', apiKind: 'anthropic:messages', model: 'fake-echo' };
const encoder = new TextEncoder();
const skill = (name: string, description: string, body: string) => encoder.encode(`---\nname: ${name}\ndescription: ${description}\n---\n${body}\n`);

/**
 * The embedded host and gateway over stores that outlive them, so a test can stop the process's
 * host and start a new one on the same data — what a server restart does.
 */
describe('session skills are durable context', () => {
  const sessions = new MemorySessionStore();
  const blobs = new MemoryBlobStore();
  const workspaces = new MemoryWorkspaceStore();
  let fake: FakeProvider;
  let running: { host: EmbeddedHost; server: ServingGateway; runtime: ToolRuntime } | undefined;
  let nextId = 1;

  async function start(): Promise<void> {
    const runtime = new ToolRuntime({ blobs, workspaces });
    const host = await EmbeddedHost.start({
      stores: { sessions: () => sessions, blobs: () => blobs, workspaces: () => workspaces, activeSessions: async () => [] },
      llm: new ProviderRouter(new ProviderRegistry({ providers: [], fake: { baseUrl: fake.url } }, {})),
      tools: () => runtime,
    });
    const server = await serveGateway(createGateway({ host, auth: singleUserAuth(), options: { defaultModel: model as never } }));
    running = { host, server, runtime };
  }
  async function stop(): Promise<void> {
    await running?.server.close();
    await running?.host.close();
    await running?.runtime.close();
    running = undefined;
  }
  async function call(method: string, params: unknown): Promise<any> {
    const response = await fetch(`${running!.server.url}/rpc`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: nextId++, method, params }) });
    const body = (await response.json()) as any;
    if (body.error) throw Object.assign(new Error(body.error.message), { rpc: body.error });
    return body.result.result;
  }

  beforeAll(async () => {
    fake = await startFakeProvider({});
    const files = new Workspaces(workspaces, blobs);
    await files.create('skills-ws');
    await files.commit('skills-ws', [
      { op: 'write', path: '/.lightspeed/skills/pdf/SKILL.md', content: skill('pdf-tools', 'Extract text from PDF files.', 'Run extract.py.') },
      { op: 'write', path: '/skills/review/SKILL.md', content: skill('code-review', 'Review a diff.', 'Read every changed line.') },
    ]);
    await start();
  });
  afterAll(async () => {
    await stop();
    await fake?.stop();
  });

  const vfs = { tools: 'edit', workspaceLinks: [{ path: '/workspace', access: 'readWrite', target: { type: 'workspace', workspaceId: 'skills-ws' } }], skills: {} };

  it('an activation is a logged context edit that survives a restart and a reconfiguration', async () => {
    await call('session/start', { sessionId: 'durable', config: { model, features: { vfs } } });
    // By name as well as by id.
    const { activation } = await call('session/skills/activate', { sessionId: 'durable', skillId: 'code-review', scope: 'session' });
    expect(activation.skillId).toBe('/workspace/skills/review');
    const { events } = await call('session/events/read', { sessionId: 'durable', limit: 1_000 });
    const applied = events.filter((event: any) => event.kind.type === 'contextEntriesApplied').flatMap((event: any) => event.kind.entries);
    expect(applied).toEqual(expect.arrayContaining([expect.objectContaining({ key: 'skills:active:/workspace/skills/review', kind: { type: 'skillActivation', catalogId: 'skills:catalog', skillId: '/workspace/skills/review' } })]));

    await stop();
    await start();
    const active = await call('session/skills/active', { sessionId: 'durable' });
    expect(active.activations).toEqual([expect.objectContaining({ skillId: '/workspace/skills/review', name: 'code-review', description: 'Review a diff.', scope: 'session' })]);

    // Session setup re-derives its own catalog entries; the user's activation stays.
    await call('session/config/put', { sessionId: 'durable', config: { model, features: { vfs: { ...vfs, tools: 'readOnly' } } } });
    expect((await call('session/skills/active', { sessionId: 'durable' })).activations.map((a: any) => a.skillId)).toEqual(['/workspace/skills/review']);
    const listed = await call('session/skills/list', { sessionId: 'durable' });
    expect(listed.skills.map((s: any) => [s.name, s.active])).toEqual([
      ['code-review', true],
      ['pdf-tools', false],
    ]);

    // The model's system prompt carries the skill body at the next turn.
    fake.reset();
    fake.enqueue({ text: 'ok' });
    await call('session/runs/start', { sessionId: 'durable', source: { type: 'input', items: [{ type: 'text', text: 'review this' }] } });
    for (let i = 0; i < 200 && fake.requests.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(JSON.stringify(fake.requests[0]?.body)).toContain('Read every changed line.');
  });

  it.each(['openai:responses', 'openai:completions', 'anthropic:messages'])('an active skill is in the system prompt the %s adapter sends', async (apiKind) => {
    const sessionId = `kind-${apiKind.replace(':', '-')}`;
    const kindModel = { ...model, apiKind };
    await call('session/start', { sessionId, config: { model: kindModel, features: { vfs } } });
    await call('session/skills/activate', { sessionId, skillId: 'pdf-tools', scope: 'session' });
    fake.reset();
    fake.enqueue({ text: 'ok' });
    await call('session/runs/start', { sessionId, source: { type: 'input', items: [{ type: 'text', text: 'extract' }] } });
    for (let i = 0; i < 200 && fake.requests.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    const body = fake.requests[0]!.body as Record<string, unknown>;
    // Where each API kind carries instructions: Responses `instructions`, a Chat system message, Anthropic `system`.
    const system = apiKind === 'openai:responses' ? body.instructions : apiKind === 'openai:completions' ? (body.messages as { role: string }[]).filter((m) => m.role === 'system') : body.system;
    expect(JSON.stringify(system)).toContain('# Skill: pdf-tools');
    expect(JSON.stringify(system)).toContain('Run extract.py.');
  });

  it('deactivating by name removes the entry; an unknown or inactive skill is not_found', async () => {
    await call('session/start', { sessionId: 'names', config: { model, features: { vfs } } });
    await call('session/skills/activate', { sessionId: 'names', skillId: 'pdf-tools', scope: 'session' });
    expect(await call('session/skills/deactivate', { sessionId: 'names', skillId: 'pdf-tools' })).toEqual({ skillId: '/workspace/.lightspeed/skills/pdf', active: [] });
    await expect(call('session/skills/deactivate', { sessionId: 'names', skillId: 'pdf-tools' })).rejects.toMatchObject({ rpc: { code: -32004, data: { kind: 'not_found' } } });
    await expect(call('session/skills/activate', { sessionId: 'names', skillId: 'nope', scope: 'session' })).rejects.toMatchObject({ rpc: { code: -32004, message: expect.stringContaining('available: code-review, pdf-tools') } });
    await expect(call('session/skills/activate', { sessionId: 'names', skillId: '', scope: 'session' })).rejects.toMatchObject({ rpc: { code: -32602 } });
  });
});
