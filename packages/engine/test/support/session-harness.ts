import {
  admitStaged,
  canonicalJson,
  initialState,
  refOfText,
  replay,
  settle,
  staged,
  type Action,
  type Admission,
  type BlobRef,
  type Command,
  type GenerationFacts,
  type LogEntry,
  type SessionConfig,
  type SessionState,
  type Staged,
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

  /** Records a step the way a host commits it: its blobs into CAS, its entries onto the log. */
  private commit(step: Staged): void {
    for (const blob of step.blobs) this.blobs.set(blob.ref, blob.text);
    this.state = step.state;
    this.log.push(...step.entries);
  }

  submit(command: Command): Admission {
    const { staged: step, admission } = admitStaged(staged(this.state), command, this.now);
    this.commit(step);
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

  /** Applies planner appends until the planner wants an effect, waits, idles or is closed (the hosts' `settle`). */
  settle(): Action {
    const settled = settle(staged(this.state), this.now);
    this.commit(settled.staged);
    return settled.action;
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
