/**
 * Engine benchmark. Drives a realistic session (instructions, a toolset, runs with tool rounds,
 * context edits, steering, auto compaction) and prints, as its last line:
 *   engine: step_us=<median µs per admitted command incl. apply+plan> replay_events_per_s=<n> rehydrate_ms_100k=<ms>
 * step: admit + stamp + apply + planner appends until the next effect (what a host does per command).
 * replay: full replay (upcast + apply) of the session log, median of 5 after a warm-up replay.
 * rehydrate: latest snapshot (taken every SNAPSHOT_INTERVAL events) + tail replay of a 100k-event
 *   session, median of 21.
 * All figures are wall-clock; on a shared machine, compare them with the load average.
 */
import { availableParallelism, loadavg } from 'node:os';
import {
  SNAPSHOT_INTERVAL,
  admit,
  applyAll,
  deserializeState,
  initialState,
  plan,
  refOfText,
  replay,
  serializeState,
  stamp,
  type Action,
  type BlobRef,
  type Command,
  type LogEntry,
  type SessionState,
} from '@lightspeed/engine';

const TARGET_EVENTS = 100_000;

class Workload {
  state: SessionState = initialState('ses_bench');
  readonly log: LogEntry[] = [];
  readonly snapshots: { seq: number; json: string }[] = [];
  readonly stepsUs: number[] = [];
  readonly byType = new Map<string, number[]>();
  private now = 1_000;
  private lastSnapshot = 0;
  private n = 0;
  private readonly refs = Array.from({ length: 64 }, (_, i) => refOfText(`blob ${i}`));

  private ref(): BlobRef {
    return this.refs[this.n++ % this.refs.length]!;
  }

  private commit(events: Parameters<typeof stamp>[1]): void {
    const entries = stamp(this.state, events, this.now);
    this.state = applyAll(this.state, entries);
    for (const e of entries) this.log.push(e);
  }

  /** One host step: admit the command, append its events, then planner appends until an effect. */
  step(command: Command, measure: boolean): Action {
    this.now += 3;
    const t0 = measure ? performance.now() : 0;
    const admission = admit(this.state, command, this.now);
    if (!admission.ok) throw new Error(`rejected ${command.type}: ${admission.rejection.message}`);
    if (admission.events.length > 0) this.commit(admission.events);
    let action = plan(this.state);
    while (action.type === 'append') {
      this.commit(action.events);
      action = plan(this.state);
    }
    if (measure) {
      const us = (performance.now() - t0) * 1000;
      this.stepsUs.push(us);
      const key = `${command.type}→${action.type}`;
      const list = this.byType.get(key) ?? [];
      list.push(us);
      this.byType.set(key, list);
    }
    if (this.state.head - this.lastSnapshot >= SNAPSHOT_INTERVAL) {
      this.snapshots.push({ seq: this.state.head, json: serializeState(this.state) });
      this.lastSnapshot = this.state.head;
    }
    return action;
  }

  /** Prompt tokens grow with the context so the auto-compaction watermark trips now and then. */
  private usage() {
    const size = this.state.context.entries.length;
    return { input: 200 + size * 40, cachedInput: size * 20, cacheWrite: 10, output: 60, reasoning: 10 };
  }

  private answer(action: Action, measure: boolean): Action {
    let next = action;
    for (let guard = 0; guard < 50; guard++) {
      if (next.type === 'generate') {
        const turn = this.state.runs[next.runId]!.turns.length;
        const toolCalls = turn <= 2 ? [0, 1].map((i) => ({ callId: `call_${this.n}_${i}`, name: i === 0 ? 'read' : 'grep', argumentsRef: this.ref() })) : [];
        next = this.step(
          {
            type: 'generation.finished',
            runId: next.runId,
            turnId: next.turnId,
            fingerprint: next.fingerprint,
            facts: {
              finishReason: toolCalls.length > 0 ? 'tool_calls' : 'stop',
              usage: this.usage(),
              outputs: [{ kind: { type: 'message', role: 'assistant' }, contentRef: this.ref(), preview: 'assistant text preview' }],
              toolCalls,
            },
          },
          measure,
        );
      } else if (next.type === 'invokeTools') {
        for (const call of next.calls) {
          next = this.step({ type: 'tool.finished', runId: call.runId, batchId: call.batchId, callId: call.callId, outcome: { status: 'succeeded', resultRef: this.ref(), isError: false, preview: 'tool output preview' } }, measure);
        }
      } else if (next.type === 'compact') {
        next = this.step({ type: 'compaction.finished', compactionId: next.compactionId, fingerprint: next.fingerprint, facts: { outputs: [{ kind: { type: 'message', role: 'user' }, contentRef: this.ref(), preview: 'summary' }], usage: this.usage() } }, measure);
      } else return next;
    }
    throw new Error('workload did not settle');
  }

  build(targetEvents: number, measure: boolean): void {
    this.step({ type: 'session.open', sessionId: 'ses_bench', config: { model: { providerId: 'fake', apiKind: 'anthropic:messages', model: 'bench' }, compaction: { mode: 'auto', thresholdTokens: 4_000 }, prices: { inputPerMTok: 3, outputPerMTok: 15 } } }, false);
    this.step({ type: 'tools.replace', tools: ['read', 'grep', 'write'].map((name) => ({ name, parallelism: 'parallelSafe' as const, definitionRef: refOfText(name) })) }, false);
    this.step({ type: 'context.put', entries: [{ key: 'instructions', kind: { type: 'instructions' }, contentRef: this.ref(), preview: 'You are a benchmark.' }] }, false);
    let i = 0;
    while (this.log.length < targetEvents) {
      i++;
      let action = this.step({ type: 'run.start', submissionId: `sub_${i}`, source: { type: 'input', items: [{ type: 'text', ref: this.ref(), preview: `question ${i}` }] } }, measure);
      if (i % 5 === 0) action = this.step({ type: 'context.put', entries: [{ key: `note_${i % 7}`, kind: { type: 'message', role: 'user' }, contentRef: this.ref(), preview: 'note' }] }, measure);
      if (i % 7 === 0 && action.type === 'generate') action = this.step({ type: 'run.steer', runId: action.runId, input: [{ type: 'text', ref: this.ref(), preview: 'steer' }] }, measure);
      this.answer(action, measure);
    }
  }
}

function median(values: number[]): number {
  const sorted = values.slice().sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

// Warm-up so the JIT has compiled the hot paths before anything is measured.
new Workload().build(20_000, false);

const work = new Workload();
work.build(TARGET_EVENTS, true);
const stepUs = median(work.stepsUs);

// One untimed replay warms the replay path (JIT, heap size); the figure is the median of 5 more.
replay('ses_bench', work.log);
const replayRuns: number[] = [];
for (let r = 0; r < 5; r++) {
  const t0 = performance.now();
  const replayed = replay('ses_bench', work.log);
  replayRuns.push(performance.now() - t0);
  if (replayed.head !== work.log.length) throw new Error('replay lost events');
}
const replayEventsPerS = Math.round(work.log.length / (median(replayRuns) / 1000));

const latest = work.snapshots[work.snapshots.length - 1]!;
const tail = work.log.slice(latest.seq);
const rehydrateRuns: number[] = [];
let rehydrated: SessionState | undefined;
for (let r = 0; r < 21; r++) {
  const t0 = performance.now();
  rehydrated = applyAll(deserializeState(latest.json), tail);
  rehydrateRuns.push(performance.now() - t0);
}
if (serializeState(rehydrated!) !== serializeState(work.state)) throw new Error('snapshot + tail differs from the live state');
const rehydrateMs = median(rehydrateRuns);

console.log(`session: ${work.log.length} events, ${work.stepsUs.length} commands, ${work.snapshots.length} snapshots (every ${SNAPSHOT_INTERVAL}), latest snapshot ${latest.json.length} bytes, tail ${tail.length} events, context ${work.state.context.entries.length} entries`);
for (const [key, list] of [...work.byType].sort((a, b) => b[1].length - a[1].length)) console.log(`  ${key.padEnd(40)} n=${String(list.length).padStart(6)} p50=${median(list).toFixed(2)}us`);
console.log(`step_us p50=${stepUs.toFixed(2)} p90=${work.stepsUs.slice().sort((a, b) => a - b)[Math.floor(work.stepsUs.length * 0.9)]!.toFixed(2)}`);
console.log(`machine: ${availableParallelism()} cores, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
console.log(`engine: step_us=${stepUs.toFixed(2)} replay_events_per_s=${replayEventsPerS} rehydrate_ms_100k=${rehydrateMs.toFixed(2)}`);
