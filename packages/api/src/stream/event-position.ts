/**
 * Event positions. One log entry projects to zero or more contract events, and a client keys
 * events by `cursor.seq` (the upstream client resumes from the last event's cursor), so every
 * event needs its own position while a cursor must still name a point in the log.
 *
 * Event `i` (0-based) of log entry `s` is at `(s - 1) * PER_ENTRY + i + 1`; the end of entry `s`
 * is `s * PER_ENTRY`. So positions rise with the log, a cursor at an entry's end resumes at the
 * next entry, and a cursor inside an entry resumes after the events of it already seen. Entry
 * seqs stay readable: position 12003 is the third event of entry 13.
 */
export const POSITIONS_PER_ENTRY = 1_000;

/** Position of event `index` of log entry `seq`. */
export function eventPosition(seq: number, index: number): number {
  if (!Number.isInteger(index) || index < 0 || index >= POSITIONS_PER_ENTRY) {
    throw new Error(`log entry ${seq} projects more than ${POSITIONS_PER_ENTRY} events; the position scheme cannot number them`);
  }
  return (seq - 1) * POSITIONS_PER_ENTRY + index + 1;
}

/** The position just after every event of log entries up to `seq`. */
export function entryEnd(seq: number): number {
  return seq * POSITIONS_PER_ENTRY;
}

/** A cursor as "entries fully read" plus "events of the next entry already read". */
export function decodePosition(position: number): { through: number; skip: number } {
  const through = Math.floor(position / POSITIONS_PER_ENTRY);
  return { through, skip: position - through * POSITIONS_PER_ENTRY };
}
