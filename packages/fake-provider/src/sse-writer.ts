import type { ServerResponse } from 'node:http';
import type { WireEvent } from './protocols/wire-event.js';

export interface StreamShape {
  firstTokenDelayMs: number;
  chunkLatencyMs: number;
  truncateAfterEvents?: number;
  malformedAfterEvents?: number;
  /** Replaces the rest of the stream with this error event after N events. */
  faultAfterEvents?: number;
  faultEvent?: WireEvent;
  /** Told of each of the script's events as it is handed to the socket (benchmarks time deltas from here). */
  onEventSent?: (event: WireEvent) => void;
}

function serialize(event: WireEvent): string {
  const data = event.data === '[DONE]' ? '[DONE]' : JSON.stringify(event.data);
  return event.event === undefined ? `data: ${data}\n\n` : `event: ${event.event}\ndata: ${data}\n\n`;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Writes an event sequence as SSE, honouring the script's timing and faults. Without delays the
 * whole sequence goes out in one write so the fake adds no latency of its own to benchmarks.
 */
export async function writeSse(res: ServerResponse, events: WireEvent[], shape: StreamShape): Promise<void> {
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive' });
  res.flushHeaders();
  // Each chunk of text to write, with the script's event it carries (none for an injected fault or malformed line).
  const out: { text: string; event?: WireEvent }[] = [];
  let cut = false;
  for (let index = 0; index < events.length; index++) {
    if (shape.malformedAfterEvents === index) {
      // Named like the event it displaces so SDKs that dispatch on the event name parse it too.
      const name = events[index]?.event;
      out.push({ text: `${name === undefined ? '' : `event: ${name}\n`}data: {"this is": not json\n\n` });
    }
    if (shape.faultAfterEvents === index && shape.faultEvent) {
      out.push({ text: serialize(shape.faultEvent) });
      break;
    }
    if (shape.truncateAfterEvents === index) {
      cut = true;
      break;
    }
    out.push({ text: serialize(events[index]!), event: events[index]! });
  }
  const sent = (chunk: { event?: WireEvent }) => {
    if (chunk.event) shape.onEventSent?.(chunk.event);
  };
  if (shape.firstTokenDelayMs === 0 && shape.chunkLatencyMs === 0) {
    const whole = out.map((chunk) => chunk.text).join('');
    if (cut) res.write(whole, () => res.destroy());
    else res.end(whole);
    out.forEach(sent);
    return;
  }
  if (shape.firstTokenDelayMs > 0) await sleep(shape.firstTokenDelayMs);
  for (let index = 0; index < out.length; index++) {
    if (res.destroyed) return;
    if (index > 0 && shape.chunkLatencyMs > 0) await sleep(shape.chunkLatencyMs);
    res.write(out[index]!.text);
    sent(out[index]!);
  }
  if (cut) res.destroy();
  else res.end();
}
