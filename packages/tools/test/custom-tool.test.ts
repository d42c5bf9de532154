import { getJson } from '@lightspeed/cas';
import { MemoryBlobStore } from '@lightspeed/cas';
import { MemoryWorkspaceStore } from '@lightspeed/vfs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createToolPortFactory, CustomToolError, defineCustomTool, ToolRuntime } from '../src/index.js';
import { harness } from './harness.js';

const weather = (calls: { input: unknown; callId: string }[] = []) =>
  defineCustomTool({
    name: 'get_weather',
    description: 'The weather in a city.',
    input: z.object({ city: z.string().min(1), unit: z.enum(['c', 'f']).default('c') }),
    parallelSafe: true,
    handler: (input, context) => {
      calls.push({ input, callId: context.callId });
      if (input.city === 'Atlantis') throw new Error('no station in Atlantis');
      return input.city === 'Oslo' ? { city: input.city, degrees: -3, unit: input.unit } : `Sunny in ${input.city}, 21°${input.unit.toUpperCase()}`;
    },
  });

describe('custom tools', () => {
  it('every provider family is offered the tool, with the zod schema as its JSON Schema', async () => {
    for (const apiKind of ['anthropic:messages', 'openai:responses', 'openai:chat']) {
      const h = await harness({ apiKind, features: {}, runtime: { customTools: [weather()] } });
      const descriptor = h.descriptors.find((d) => d.name === 'get_weather');
      expect(descriptor?.parallelism).toBe('parallelSafe');
      const definition = await getJson<{ description: string; inputSchema: Record<string, any> }>(h.blobs, descriptor!.definitionRef);
      expect(definition.description).toBe('The weather in a city.');
      expect(definition.inputSchema.type).toBe('object');
      expect(definition.inputSchema.properties.city).toEqual({ type: 'string', minLength: 1 });
      // A field with a default is optional to the model.
      expect(definition.inputSchema.required).toEqual(['city']);
      expect(definition.inputSchema.$schema).toBeUndefined();
    }
  });

  it('the handler gets the validated input (defaults applied) and the call id; text and JSON outputs reach the model', async () => {
    const calls: { input: unknown; callId: string }[] = [];
    const h = await harness({ features: {}, runtime: { customTools: [weather(calls)] } });
    const text = await h.call('get_weather', { city: 'Paris' });
    expect(text).toMatchObject({ isError: false, text: 'Sunny in Paris, 21°C' });
    expect(text.outcome.status).toBe('succeeded');
    const json = await h.call('get_weather', { city: 'Oslo', unit: 'f' });
    expect(JSON.parse(json.text)).toEqual({ city: 'Oslo', degrees: -3, unit: 'f' });
    expect(calls.map((c) => c.input)).toEqual([{ city: 'Paris', unit: 'c' }, { city: 'Oslo', unit: 'f' }]);
    expect(calls[0]!.callId).toMatch(/^c\d+$/);
  });

  it('arguments that do not fit the schema are an error result naming the field, and the handler never runs', async () => {
    const calls: { input: unknown; callId: string }[] = [];
    const h = await harness({ features: {}, runtime: { customTools: [weather(calls)] } });
    const result = await h.call('get_weather', { city: 42 });
    expect(result.isError).toBe(true);
    expect(result.outcome.status).toBe('failed');
    expect(result.text).toContain('Invalid arguments');
    expect(result.text).toContain('city');
    expect(calls).toEqual([]);
  });

  it('a handler that throws gives an error result with its message, not a crashed call', async () => {
    const h = await harness({ features: {}, runtime: { customTools: [weather()] } });
    const result = await h.call('get_weather', { city: 'Atlantis' });
    expect(result).toMatchObject({ isError: true, text: 'Tool get_weather failed: no station in Atlantis' });
    expect(result.outcome.status).toBe('failed');
  });

  it('a built-in name (of either family, any case), a reserved MCP name, a malformed name or a non-object schema is refused at registration', () => {
    const define = (name: string, input: z.ZodType = z.object({})) => () => defineCustomTool({ name, description: 'd', input, handler: () => '' });
    for (const name of ['read_file', 'Read', 'bash', 'WebFetch', 'apply_patch', 'sleep', 'ask_user']) expect(define(name)).toThrow(CustomToolError);
    expect(define('read_file')).toThrow(/taken by a built-in tool/);
    expect(define('mcp__x__y')).toThrow(/reserved for MCP/);
    expect(define('has space')).toThrow(/1-64 characters/);
    expect(define('ok_name', z.string())).toThrow(/must be an object/);
    try {
      define('Read')();
    } catch (error) {
      expect((error as CustomToolError).code).toBe('invalid');
      expect((error as CustomToolError).tool).toBe('Read');
    }
  });

  it('two custom tools with one name are refused when the runtime or factory is built', () => {
    expect(() => createToolPortFactory({ customTools: [weather(), weather()] })).toThrow(/registered twice/);
    expect(() => new ToolRuntime({ blobs: new MemoryBlobStore(), workspaces: new MemoryWorkspaceStore(), customTools: [weather(), weather()] })).toThrow(CustomToolError);
  });
});
