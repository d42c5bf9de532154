import { invariant } from './invariant.js';
import { EVENT_VERSIONS, isEventKind, type LogEntry } from './log.js';

/** The raw shape of a stored entry, possibly at an older version. */
export interface StoredEntry {
  seq: number;
  at: number;
  kind: string;
  version: number;
  data: unknown;
}

type Upcaster = (data: unknown) => unknown;

/** run.accepted v1: the run's input, before runs could start from context keys. */
interface RunAcceptedV1 {
  runId: string;
  submissionId?: string;
  digest?: string;
  input: unknown[];
  config?: unknown;
}

/**
 * Upcasters by kind and *source* version: `UPCASTERS[kind][v]` turns data of version v into v+1.
 * Old entries are never rewritten in the store; they are upcast on every read.
 */
const UPCASTERS: Partial<Record<string, Record<number, Upcaster>>> = {
  /**
   * run.accepted v1 (before runs could start from context keys) carried `input: InputRef[]`;
   * v2 carries `source: {type: 'input', items} | {type: 'context', keys}`.
   */
  'run.accepted': {
    1: (data) => {
      const { input, ...rest } = data as RunAcceptedV1;
      return { ...rest, source: { type: 'input', items: input } };
    },
  },
};

/** Brings an entry of any known version to the current version of its kind. */
export function upcast(entry: StoredEntry): LogEntry {
  invariant(isEventKind(entry.kind), `unknown event kind ${String(entry.kind)}`, { seq: entry.seq });
  const current = EVENT_VERSIONS[entry.kind];
  // The one place stored data becomes typed: the log holds only what admission produced for this
  // kind at this version (or an upcaster turned into it), so the kind decides the data's type.
  if (entry.version === current) return entry as LogEntry;
  invariant(Number.isInteger(entry.version) && entry.version >= 1 && entry.version < current, `event ${entry.kind} has unsupported version ${entry.version}`, { seq: entry.seq });
  let data = entry.data;
  for (let v = entry.version; v < current; v++) {
    const step = UPCASTERS[entry.kind]?.[v];
    invariant(step !== undefined, `no upcaster for ${entry.kind} v${v}`, { seq: entry.seq });
    data = step(data);
  }
  return { seq: entry.seq, at: entry.at, kind: entry.kind, version: current, data } as LogEntry;
}
