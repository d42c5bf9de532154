import {
  admit,
  applyAll,
  canonicalJson,
  initialState,
  plan,
  refOfText,
  replay,
  stamp,
  type Action,
  type Admission,
  type BlobRef,
  type Command,
  type GenerationFacts,
  type LogEntry,
  type SessionConfig,
  type SessionState,
  type ToolCallFact,
  type ToolDescriptor,
  type Usage,
} from '../../src/index.js';

export const MODEL = { providerId: 'fake', apiKind: 'openai:responses' as const, model: 'fake-1' };

export function ref(text: string): BlobRef {
  return refOfText(text);
}

export function usage(partial: Partial<Usage> = {}): Usage {
  return { input: 10, cachedInput: 0, cacheWrite: 0, output: 5, reasoning: 0, ...partial };
}

export function tool(name: string, parallelism: ToolDescriptor['parallelism'] = 'parallelSafe'): ToolDescriptor {
  return { name, parallelism, definitionRef: ref(`definition of ${name}`) };
}

export function call(callId: string, name: string): ToolCallFact {
  return { callId, name, argumentsRef: ref(`{"call":"${callId}"}`) };
}

export function answer(text: string, extra: Partial<GenerationFacts> = {}): GenerationFacts {
  return {
    finishReason: 'stop',
    usage: usage(),
    outputs: [{ kind: { type: 'message', role: 'assistant' }, contentRef: ref(text), preview: text }],
    toolCalls: [],
    ...extra,
  };
}

export function toolCalls(calls: ToolCallFact[], extra: Partial<GenerationFacts> = {}): GenerationFacts {
  return { finishReason: 'tool_calls', usage: usage(), outputs: [], toolCalls: calls, ...extra };
}

/**
 * An in-memory session driven the way a host drives it: admit → stamp → apply, and `settle()`
 * appends planner events until the planner asks for an effect (or is idle).
 */
export class SessionHarness {
  state: SessionState;
  readonly log: LogEntry[] = [];
  readonly blobs = new Map<BlobRef, string>();
  now = 1_000;

  constructor(readonly sessionId = 'ses_test') {
    this.state = initialState(sessionId);
  }

  static open(config: Partial<SessionConfig> = {}, tools: ToolDescriptor[] = []): SessionHarness {
    const h = new SessionHarness();
    h.ok({ type: 'session.open', sessionId: h.sessionId, config: { model: MODEL, ...config } });
    if (tools.length > 0) h.ok({ type: 'tools.replace', tools });
    return h;
  }

  tick(ms = 1): void {
    this.now += ms;
  }

  private commit(events: Admission & { ok: true }): void {
    for (const blob of events.blobs ?? []) this.blobs.set(blob.ref, blob.text);
    const entries = stamp(this.state, events.events, this.now);
    this.state = applyAll(this.state, entries);
    this.log.push(...entries);
  }

  submit(command: Command): Admission {
    const admission = admit(this.state, command, this.now);
    if (admission.ok) this.commit(admission);
    return admission;
  }

  /** Submits a command that must be accepted; returns its result. */
  ok(command: Command): NonNullable<Extract<Admission, { ok: true }>['result']> {
    const admission = this.submit(command);
    if (!admission.ok) throw new Error(`rejected ${command.type}: ${admission.rejection.code} ${admission.rejection.message}`);
    return admission.result ?? {};
  }

  /** Submits a command that must be rejected; returns the rejection. */
  rejected(command: Command) {
    const admission = this.submit(command);
    if (admission.ok) throw new Error(`expected ${command.type} to be rejected`);
    return admission.rejection;
  }

  /** Applies planner appends until the planner wants an effect, waits, idles or is closed. */
  settle(limit = 100): Action {
    for (let i = 0; i < limit; i++) {
      const action = plan(this.state);
      if (action.type !== 'append') return action;
      for (const blob of action.blobs ?? []) this.blobs.set(blob.ref, blob.text);
      const entries = stamp(this.state, action.events, this.now);
      this.state = applyAll(this.state, entries);
      this.log.push(...entries);
    }
    throw new Error('planner did not settle');
  }

  /** settle() and assert the action type. */
  expect<T extends Action['type']>(type: T): Extract<Action, { type: T }> {
    const action = this.settle();
    if (action.type !== type) throw new Error(`expected ${type}, planner said ${JSON.stringify(action)}`);
    return action as Extract<Action, { type: T }>;
  }

  /** Answers the pending generation with these facts. */
  generate(facts: GenerationFacts) {
    const action = this.expect('generate');
    return this.ok({ type: 'generation.finished', runId: action.runId, turnId: action.turnId, fingerprint: action.fingerprint, facts });
  }

  kinds(fromSeq = 1): string[] {
    return this.log.filter((e) => e.seq >= fromSeq).map((e) => e.kind);
  }

  replayed(): string {
    return canonicalJson(replay(this.sessionId, this.log));
  }

  live(): string {
    return canonicalJson(this.state);
  }
}
