import {
  admit,
  apply,
  plan,
  refOfText,
  stamp,
  initialState,
  type Action,
  type BlobRef,
  type Command,
  type GenerationFacts,
  type LogEntry,
  type SessionConfig,
  type SessionState,
} from '../../src/index.js';
import { deepFreeze } from './deep-freeze.js';
import { actionViolations, violations } from './invariants.js';

/**
 * Drives a realistic session from a list of random choices: user commands (open, configure,
 * context edits, runs, steering, cancels, closes…) interleaved with the runtime results the
 * planner asks for (generations with text, tool calls or overflows; failures; tool results in
 * random order, deferrals; compactions; timers; promise resolutions), plus stale results.
 * Every admitted command and planner append is applied and checked. The state (and each entry) is
 * deep-frozen before every `apply`, so a reducer — or admit/plan — that mutates instead of copying
 * throws here.
 */
export class RandomSession {
  state: SessionState;
  readonly log: LogEntry[] = [];
  private now = 1_000;
  private readonly effects: Action[] = [];
  private promiseCounter = 0;
  readonly problems: string[] = [];
  readonly stats = { admitted: 0, rejected: 0 };

  constructor(
    private readonly choices: number[],
    readonly sessionId = 'ses_prop',
  ) {
    this.state = deepFreeze(initialState(sessionId));
  }

  private cursor = 0;
  private pick(n: number): number {
    const value = this.choices[this.cursor % this.choices.length]! + this.cursor * 7919;
    this.cursor++;
    return value % n;
  }

  private ref(text: string): BlobRef {
    return refOfText(text);
  }

  private append(events: Parameters<typeof stamp>[1]): void {
    const entries = stamp(this.state, events, this.now);
    for (const entry of entries) {
      this.state = deepFreeze(apply(deepFreeze(this.state), deepFreeze(entry)));
      this.log.push(entry);
    }
    this.check();
  }

  private check(): void {
    const found = violations(this.state, this.log);
    if (found.length > 0) this.problems.push(...found.map((v) => `after seq ${this.state.head}: ${v}`));
  }

  submit(command: Command): void {
    const admission = admit(this.state, command, this.now);
    if (!admission.ok) {
      this.stats.rejected++;
      return;
    }
    this.stats.admitted++;
    if (admission.events.length > 0) this.append(admission.events);
  }

  /** Planner appends until an effect; returns it. */
  settle(): Action {
    for (let i = 0; i < 200; i++) {
      const action = plan(this.state);
      const bad = actionViolations(this.state, action);
      if (bad.length > 0) this.problems.push(...bad);
      if (action.type !== 'append') {
        if (action.type !== 'idle' && action.type !== 'closed') this.effects.push(action);
        return action;
      }
      this.append(action.events);
    }
    this.problems.push('planner did not settle');
    return { type: 'idle' };
  }

  private config(): SessionConfig {
    const config: SessionConfig = { model: { providerId: 'fake', apiKind: 'openai:responses', model: `m${this.pick(3)}` } };
    if (this.pick(2) === 0) config.prices = { inputPerMTok: 1, outputPerMTok: 2 };
    const limits = this.pick(4);
    if (limits === 0) config.limits = { maxTurns: 1 + this.pick(5), maxToolRounds: this.pick(4) };
    if (limits === 1) config.limits = { session: { tokenBudget: 50 + this.pick(500), maxOutputTokens: 20 + this.pick(100) } };
    if (limits === 2 && config.prices) config.limits = { costBudgetUsd: 0.0001 * (1 + this.pick(5)) };
    if (this.pick(2) === 0) config.compaction = { mode: 'auto', thresholdTokens: 20 + this.pick(60) };
    return config;
  }

  private facts(): GenerationFacts {
    const usage = { input: this.pick(40), cachedInput: this.pick(10), cacheWrite: this.pick(3), output: this.pick(20), reasoning: this.pick(5) };
    const kind = this.pick(10);
    if (kind === 0) return { finishReason: 'context_length', usage, outputs: [], toolCalls: [] };
    const outputs: GenerationFacts['outputs'] = [];
    if (this.pick(3) === 0) outputs.push({ kind: { type: 'reasoningState' }, contentRef: this.ref(`r${this.cursor}`), providerKind: 'reasoning', providerItemId: `rs_${this.cursor}` });
    outputs.push({ kind: { type: 'message', role: 'assistant' }, contentRef: this.ref(`a${this.cursor}`), preview: 'x'.repeat(this.pick(300)) });
    if (kind < 5) {
      const n = 1 + this.pick(3);
      const toolCalls = Array.from({ length: n }, (_, i) => ({ callId: `call_${this.cursor}_${i}`, name: ['a', 'b', 'c', 'zz'][this.pick(4)]!, argumentsRef: this.ref(`args${i}`) }));
      return { finishReason: 'tool_calls', usage, outputs, toolCalls };
    }
    return { finishReason: 'stop', usage, outputs, toolCalls: [] };
  }

  /** Answers one effect the planner asked for (possibly an old, stale one). */
  private runtime(action: Action): void {
    switch (action.type) {
      case 'generate': {
        const r = this.pick(8);
        if (r === 0) this.submit({ type: 'generation.failed', runId: action.runId, turnId: action.turnId, failure: { errorClass: this.pick(3) === 0 ? 'context_length' : 'server', message: 'boom', retryable: false }, usage: { input: 1, cachedInput: 0, cacheWrite: 0, output: 0, reasoning: 0 } });
        else this.submit({ type: 'generation.finished', runId: action.runId, turnId: action.turnId, fingerprint: action.fingerprint, facts: this.facts() });
        return;
      }
      case 'invokeTools': {
        const call = action.calls[this.pick(action.calls.length)]!;
        const r = this.pick(6);
        const outcome =
          r === 0
            ? this.pick(2) === 0
              ? { status: 'deferred' as const, promiseId: `p${++this.promiseCounter}`, deadline: this.now + 10 + this.pick(100) }
              : { status: 'deferred' as const, promiseId: `p${++this.promiseCounter}` }
            : { status: r === 1 ? ('failed' as const) : ('succeeded' as const), resultRef: this.ref(`result ${call.callId}`), isError: r === 1, preview: 'y'.repeat(this.pick(250)) };
        this.submit({ type: 'tool.finished', runId: action.runId, batchId: action.batchId, callId: call.callId, outcome });
        return;
      }
      case 'compact':
        if (this.pick(5) === 0) this.submit({ type: 'compaction.failed', compactionId: action.compactionId, failure: { errorClass: 'server', message: 'x', retryable: false } });
        else this.submit({ type: 'compaction.finished', compactionId: action.compactionId, fingerprint: action.fingerprint, facts: { outputs: [{ kind: { type: 'message', role: 'user' }, contentRef: this.ref(`summary${this.cursor}`), preview: 'summary' }], usage: { input: 5, cachedInput: 0, cacheWrite: 0, output: 2, reasoning: 0 } } });
        return;
      case 'wait': {
        const promiseId = action.promiseIds[this.pick(action.promiseIds.length)]!;
        if (this.pick(2) === 0 && action.until !== undefined) {
          this.now = Math.max(this.now, action.until);
          this.submit({ type: 'timer.fired', promiseId });
        } else this.submit({ type: 'promise.resolve', promiseId, ...(this.pick(2) === 0 ? { payloadRef: this.ref('payload') } : {}) });
        return;
      }
      default:
        return;
    }
  }

  private knownRun(): string {
    return `run_${1 + this.pick(Math.max(1, this.state.counters.run + 1))}`;
  }

  private user(): void {
    const text = `u${this.cursor}`;
    const items = [{ type: 'text' as const, ref: this.ref(text), preview: text }];
    switch (this.pick(16)) {
      case 0:
        this.submit({ type: 'session.configure', config: this.config(), ...(this.pick(2) === 0 ? { expectedRevision: this.state.configRevision - this.pick(2) } : {}) });
        return;
      case 1:
        this.submit({ type: 'tools.replace', tools: ['a', 'b', 'c'].filter(() => this.pick(3) > 0).map((name) => ({ name, parallelism: this.pick(2) === 0 ? 'parallelSafe' : 'exclusive', definitionRef: this.ref(name) })) });
        return;
      case 2:
      case 3: {
        const key = `k${this.pick(4)}`;
        const kinds = [{ type: 'instructions' as const }, { type: 'message' as const, role: 'user' as const }, { type: 'vfsCatalog' as const }];
        this.submit({ type: 'context.put', entries: [{ key, kind: kinds[this.pick(3)]!, contentRef: this.ref(`c${this.pick(3)}`), preview: 'p'.repeat(this.pick(300)) }], ...(this.pick(3) === 0 ? { expectedRevisions: { [key]: this.pick(3) } } : {}) });
        return;
      }
      case 4:
        this.submit({ type: 'context.remove', keys: [`k${this.pick(4)}`] });
        return;
      case 5:
        this.submit({ type: 'context.compact' });
        return;
      case 6:
      case 7:
      case 8:
        this.submit({ type: 'run.start', source: { type: 'input', items }, ...(this.pick(2) === 0 ? { submissionId: `sub${this.pick(4)}` } : {}) });
        return;
      case 9:
        this.submit({ type: 'run.cancel', runId: this.knownRun(), force: this.pick(3) === 0 });
        return;
      case 10:
        this.submit({ type: 'run.steer', runId: this.state.activeRunId ?? this.knownRun(), input: items });
        return;
      case 11:
        this.submit({ type: 'promise.resolve', promiseId: `p${this.pick(this.promiseCounter + 2)}` });
        return;
      case 12:
        if (this.pick(6) === 0) this.submit({ type: 'session.close', force: this.pick(2) === 0 });
        return;
      case 13:
        this.submit({ type: 'session.rename', displayName: text });
        return;
      default: {
        // A stale or repeated runtime result from an earlier effect: must be refused or harmless.
        const old = this.effects[this.pick(this.effects.length || 1)];
        if (old) this.runtime(old);
      }
    }
  }

  /**
   * Liveness: answering every effect successfully (final answers, tool results, compactions,
   * resolutions) must bring the session to rest (idle or closed) — no planner loop.
   */
  drain(): Action {
    for (let i = 0; i < 200; i++) {
      const action = this.settle();
      switch (action.type) {
        case 'idle':
        case 'closed':
          return action;
        case 'generate':
          this.submit({ type: 'generation.finished', runId: action.runId, turnId: action.turnId, fingerprint: action.fingerprint, facts: { finishReason: 'stop', usage: { input: 1, cachedInput: 0, cacheWrite: 0, output: 1, reasoning: 0 }, outputs: [{ kind: { type: 'message', role: 'assistant' }, contentRef: this.ref('final') }], toolCalls: [] } });
          break;
        case 'invokeTools':
          for (const call of action.calls) this.submit({ type: 'tool.finished', runId: action.runId, batchId: action.batchId, callId: call.callId, outcome: { status: 'succeeded', resultRef: this.ref('ok'), isError: false } });
          break;
        case 'compact':
          this.submit({ type: 'compaction.finished', compactionId: action.compactionId, fingerprint: action.fingerprint, facts: { outputs: [{ kind: { type: 'message', role: 'user' }, contentRef: this.ref('summary'), preview: 'summary' }], usage: { input: 1, cachedInput: 0, cacheWrite: 0, output: 1, reasoning: 0 } } });
          break;
        case 'wait':
          for (const promiseId of action.promiseIds) this.submit({ type: 'promise.resolve', promiseId });
          break;
      }
      this.check();
    }
    this.problems.push(`session did not come to rest: planner still says ${this.settle().type}`);
    return this.settle();
  }

  /** Runs the whole choice list, checking invariants after every step. */
  run(): void {
    this.submit({ type: 'session.open', sessionId: this.sessionId, config: this.config() });
    if (this.pick(4) > 0) this.submit({ type: 'tools.replace', tools: ['a', 'b', 'c'].map((name) => ({ name, parallelism: 'parallelSafe' as const, definitionRef: this.ref(name) })) });
    const steps = this.choices.length;
    for (let i = 0; i < steps; i++) {
      this.now += this.pick(20);
      const action = this.settle();
      if (this.pick(3) === 0 || action.type === 'idle') this.user();
      else this.runtime(action);
      this.check();
    }
    this.settle();
  }
}
