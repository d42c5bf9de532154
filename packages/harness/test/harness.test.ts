import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ApiKind } from '@lightspeed/engine';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createHarness, CustomToolError, defineCustomTool, type AgentDefinition } from '../src/index.js';
import { RpcClient } from '@lightspeed/cli';

/** A custom tool whose handler records every call, so tests can tell whether it ran (again). */
function weatherTool() {
  const calls: string[] = [];
  const tool = defineCustomTool({
    name: 'get_weather',
    description: 'The weather in a city.',
    input: z.object({ city: z.string().min(1) }),
    handler: ({ city }) => {
      calls.push(city);
      if (city === 'Atlantis') throw new Error('no station in Atlantis');
      return { city, sky: 'sunny' };
    },
  });
  return { tool, calls };
}

const agent = (apiKind: ApiKind): AgentDefinition => ({ name: 'forecaster', instructions: 'Use get_weather.', model: { providerId: 'fake', apiKind, model: 'fake-model' } });

describe('createHarness', () => {
  it('a session started from an agent definition gets the custom tool on every API kind, and the model sees its result', async () => {
    const { tool, calls } = weatherTool();
    const harness = await createHarness({ provider: 'fake', customTools: [tool] });
    try {
      for (const apiKind of ['openai:responses', 'openai:completions', 'anthropic:messages'] as const) {
        const session = await harness.startSession({ agent: agent(apiKind) });
        const result = await session.send('use get_weather {"city":"Paris"}');
        expect(result.status).toBe('completed');
        expect(result.tools).toMatchObject([{ name: 'get_weather', status: 'succeeded', output: '{"city":"Paris","sky":"sunny"}' }]);
        expect(result.answer).toContain('get_weather returned: {"city":"Paris","sky":"sunny"}');
        expect((await session.read()).config.model.apiKind).toBe(apiKind);
      }
      expect(calls).toEqual(['Paris', 'Paris', 'Paris']);
    } finally {
      await harness.close();
    }
  });

  it('invalid arguments and a throwing handler are error results the model sees; the run completes', async () => {
    const { tool, calls } = weatherTool();
    const harness = await createHarness({ provider: 'fake', customTools: [tool] });
    try {
      const session = await harness.startSession();
      const invalid = await session.send('use get_weather {"city":42}');
      expect(invalid.status).toBe('completed');
      expect(invalid.tools[0]).toMatchObject({ name: 'get_weather', status: 'failed' });
      expect(invalid.tools[0]!.output).toMatch(/Invalid arguments.*city/s);
      expect(calls).toEqual([]);
      const thrown = await session.send('use get_weather {"city":"Atlantis"}');
      expect(thrown.status).toBe('completed');
      expect(thrown.tools[0]).toMatchObject({ status: 'failed', output: 'Tool get_weather failed: no station in Atlantis' });
    } finally {
      await harness.close();
    }
  });

  it('a subscriber sees the durable events and the token deltas of a run; serve() exposes the same sessions to another client', async () => {
    const { tool } = weatherTool();
    const harness = await createHarness({ provider: 'fake', customTools: [tool] });
    try {
      const session = await harness.startSession();
      const events: string[] = [];
      let deltas = '';
      const subscription = await session.subscribe({ onEvent: (event) => events.push(event.kind.type), onDelta: (delta) => (deltas += delta.text ?? '') });
      const result = await session.send('hello there');
      subscription.close();
      await subscription.done;
      expect(events).toEqual(expect.arrayContaining(['runStarted', 'turnCompleted', 'runCompleted']));
      expect(deltas).toBe(result.answer);
      expect(result.answer).toContain('You said: hello there');

      const served = await harness.serve();
      const other = new RpcClient({ baseUrl: served.url });
      const { session: view } = await other.call('session/read', { sessionId: session.id });
      expect(view.runs).toHaveLength(1);
    } finally {
      await harness.close();
    }
  });

  it('a mounted directory gives the session file tools beside the custom tool', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'harness-mount-'));
    const { tool } = weatherTool();
    const harness = await createHarness({ provider: 'fake', customTools: [tool] });
    try {
      await writeFile(join(dir, 'notes.md'), 'bring an umbrella\n');
      const session = await harness.startSession({ agent: agent('openai:responses'), mount: dir });
      const result = await session.send('use read_file {"file_path":"/workspace/notes.md"}');
      expect(result.tools).toMatchObject([{ name: 'read_file', status: 'succeeded' }]);
      expect(result.tools[0]!.output).toContain('bring an umbrella');
      const tools = (await session.read()).activeTools.tools.map((t: { toolId: string }) => t.toolId);
      expect(tools).toEqual(expect.arrayContaining(['read_file', 'apply_patch', 'get_weather']));
    } finally {
      await harness.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('host tools are refused unless the harness allows them', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'harness-host-'));
    const hostAgent: AgentDefinition = { ...agent('openai:responses'), tools: { host: { root: dir, exec: false } } };
    try {
      await writeFile(join(dir, 'todo.txt'), 'water the plants\n');
      const refusing = await createHarness({ provider: 'fake' });
      try {
        await expect(refusing.startSession({ agent: hostAgent })).rejects.toMatchObject({ name: 'RpcError', message: expect.stringContaining('host') });
      } finally {
        await refusing.close();
      }
      const allowing = await createHarness({ provider: 'fake', allowHostTools: true });
      try {
        const session = await allowing.startSession({ agent: hostAgent });
        const result = await session.send('use read_file {"file_path":"/todo.txt"}');
        expect(result.tools[0]).toMatchObject({ name: 'read_file', status: 'succeeded' });
        expect(result.tools[0]!.output).toContain('water the plants');
      } finally {
        await allowing.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a recorded custom tool result is not re-run when the harness reopens its data directory', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'harness-'));
    try {
      const first = weatherTool();
      const harness = await createHarness({ provider: 'fake', dataDir: dir, customTools: [first.tool] });
      let sessionId: string;
      try {
        const session = await harness.startSession();
        sessionId = session.id;
        expect((await session.send('use get_weather {"city":"Paris"}')).status).toBe('completed');
      } finally {
        await harness.close();
      }
      expect(first.calls).toEqual(['Paris']);

      const second = weatherTool();
      const reopened = await createHarness({ provider: 'fake', dataDir: dir, customTools: [second.tool] });
      try {
        const session = reopened.session(sessionId);
        const view = await session.read();
        expect(view.runs[0].toolBatches[0].calls[0]).toMatchObject({ toolName: 'get_weather', status: 'succeeded', output: '{"city":"Paris","sky":"sunny"}' });
        const next = await session.send('use get_weather {"city":"Oslo"}');
        expect(next.status).toBe('completed');
        // Only the new call ran: the first one's result came from the log.
        expect(second.calls).toEqual(['Oslo']);
      } finally {
        await reopened.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('refuses an unknown option, two custom tools of one name, and a bare agent name without agentsDir, each with a typed error', async () => {
    await expect(createHarness({ provider: 'fake', tools: [] } as never)).rejects.toMatchObject({ code: 'invalid', message: expect.stringContaining('unknown option "tools"') });
    await expect(createHarness({ provider: 'fake', customTools: [weatherTool().tool, weatherTool().tool] })).rejects.toBeInstanceOf(CustomToolError);
    const harness = await createHarness({ provider: 'fake' });
    try {
      await expect(harness.startSession({ agent: 'forecaster' })).rejects.toMatchObject({ code: 'invalid', message: expect.stringContaining('agentsDir') });
      await expect(harness.startSession({ agent: 'missing/agent.md' })).rejects.toMatchObject({ name: 'AgentDefinitionError' });
      await expect(harness.startSession({ agent: { ...agent('openai:chat' as ApiKind), limits: { maxTurns: 0 } } })).rejects.toMatchObject({
        code: 'invalid',
        message: expect.stringMatching(/model\.apiKind: expected one of .*limits\.maxTurns: expected a positive integer/),
      });
      await expect(harness.startSession({ config: {} } as never)).rejects.toMatchObject({ code: 'invalid', message: expect.stringContaining('unknown option "config"') });
      await expect(harness.startSession({ mcpServers: ['nowhere'] })).rejects.toMatchObject({ name: 'RpcError', kind: 'invalid_request', message: expect.stringContaining('nowhere') });
    } finally {
      await harness.close();
    }
  });
});
