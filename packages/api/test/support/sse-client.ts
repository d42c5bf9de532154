/** One parsed Server-Sent Event. */
export interface SseEvent {
  event: string;
  id?: string;
  data: string;
}

/**
 * A minimal SSE reader over fetch (what a browser EventSource does, minus reconnection), so tests
 * see exactly the wire format: `event:`, `id:`, `data:` lines separated by a blank line.
 */
export async function openSse(url: string, headers: Record<string, string> = {}) {
  const controller = new AbortController();
  const response = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: controller.signal });
  const queue: SseEvent[] = [];
  const waiters: (() => void)[] = [];
  let ended = false;
  const pump = (async () => {
    if (!response.body) return;
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let split: number;
        while ((split = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, split);
          buffer = buffer.slice(split + 2);
          const event: SseEvent = { event: 'message', data: '' };
          const data: string[] = [];
          for (const line of block.split('\n')) {
            if (line.startsWith('event: ')) event.event = line.slice(7);
            else if (line.startsWith('id: ')) event.id = line.slice(4);
            else if (line.startsWith('data: ')) data.push(line.slice(6));
          }
          event.data = data.join('\n');
          queue.push(event);
          waiters.splice(0).forEach((wake) => wake());
        }
      }
    } catch {
      // aborted by close()
    } finally {
      ended = true;
      waiters.splice(0).forEach((wake) => wake());
    }
  })();

  return {
    status: response.status,
    response,
    /** Next event satisfying `predicate` (earlier ones are consumed), or throws after `timeoutMs`. */
    async next(predicate: (event: SseEvent) => boolean = () => true, timeoutMs = 10_000): Promise<SseEvent> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        while (queue.length > 0) {
          const event = queue.shift()!;
          if (predicate(event)) return event;
        }
        if (ended) throw new Error('stream ended');
        const remaining = deadline - Date.now();
        if (remaining <= 0) throw new Error('timed out waiting for an SSE event');
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, remaining);
          waiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
    },
    async close() {
      controller.abort();
      await pump;
    },
  };
}
