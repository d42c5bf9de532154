import { describe, expect, it } from 'vitest';
import type { SessionConfig } from '@lightspeed/engine';
import { ProviderRegistry, ProviderRouter } from '@lightspeed/llm';
import { checkModelParams, refuseInvalidModelParams } from '../src/command-checks.js';

// The real router over a registry with the fake provider (no I/O: validation never calls it).
const llm = new ProviderRouter(new ProviderRegistry({ providers: [], fake: { baseUrl: 'http://127.0.0.1:9' } }, {}));
const model = { providerId: 'fake', apiKind: 'openai:responses' as const, model: 'fake-echo' };
const session: SessionConfig = { model, generation: { native: { top_p: 0.5 } } };
const open = (config: unknown) => ({ type: 'session.open' as const, sessionId: 's', config: config as SessionConfig });
const run = (config: unknown) => ({ type: 'run.start' as const, source: { type: 'input' as const, items: [] }, config: config as never });

describe('checkModelParams', () => {
  it('accepts a configured provider and valid native params', () => {
    expect(checkModelParams(llm, open(session), undefined)).toBeUndefined();
    expect(checkModelParams(llm, { type: 'session.configure', config: session }, session)).toBeUndefined();
  });

  it('names config.model.providerId for an unknown provider and lists the configured ones', () => {
    const rejection = checkModelParams(llm, open({ model: { ...model, providerId: 'nope' } }), undefined);
    expect(rejection).toEqual({
      code: 'invalid',
      message: 'config.model.providerId: unknown provider "nope"; configured providers: openai, anthropic, fake',
      details: { path: 'config.model.providerId' },
    });
  });

  it('names the native param at fault on open and configure', () => {
    const bad = { model, generation: { native: { reasoning: { effort: 'extreme' } } } };
    const opened = checkModelParams(llm, open(bad), undefined);
    expect(opened).toMatchObject({ code: 'invalid', details: { path: 'config.generation.native.reasoning.effort' } });
    expect(opened!.message).toMatch(/^config\.generation\.native\.reasoning\.effort: /);
    const unknownKey = checkModelParams(llm, { type: 'session.configure', config: { model, generation: { native: { stream: false } } } }, session);
    expect(unknownKey).toMatchObject({ code: 'invalid', message: expect.stringMatching(/^config\.generation\.native: .*stream/) });
  });

  it('checks only what a run overrides, merged over the session config', () => {
    expect(checkModelParams(llm, run({ limits: { maxTurns: 1 } }), session)).toBeUndefined();
    expect(checkModelParams(llm, run({ model: { ...model, model: 'other' } }), session)).toBeUndefined();
    expect(checkModelParams(llm, run({ model: { ...model, providerId: 'gone' } }), session)).toMatchObject({ details: { path: 'config.model.providerId' } });
    expect(checkModelParams(llm, run({ generation: { native: { top_p: 7 } } }), session)).toMatchObject({ details: { path: 'config.generation.native.top_p' } });
  });

  it('leaves malformed configs and unknown sessions to the engine, whose messages win', () => {
    expect(checkModelParams(llm, open({ model: { providerId: '', apiKind: 'openai:responses', model: 'm' } }), undefined)).toBeUndefined();
    expect(checkModelParams(llm, run({ model: { ...model, providerId: 'gone' } }), undefined)).toBeUndefined();
    expect(checkModelParams(llm, run({ model: { ...model, providerId: 'gone', apiKind: 'anthropic:messages' } }), session)).toBeUndefined();
  });
});

describe('refuseInvalidModelParams', () => {
  it('answers the SubmitOutcome rejection shape and loads the session only for run overrides', async () => {
    let loads = 0;
    const load = async () => {
      loads += 1;
      return session;
    };
    expect(await refuseInvalidModelParams(llm, open({ model: { ...model, providerId: 'nope' } }), load)).toMatchObject({ ok: false, rejection: { code: 'invalid' } });
    expect(await refuseInvalidModelParams(llm, run(undefined), load)).toBeUndefined();
    expect(loads).toBe(0);
    expect(await refuseInvalidModelParams(llm, run({ model: { ...model, providerId: 'nope' } }), load)).toMatchObject({ ok: false });
    expect(loads).toBe(1);
    expect(await refuseInvalidModelParams(undefined, open({ model: { ...model, providerId: 'nope' } }), load)).toBeUndefined();
  });
});
