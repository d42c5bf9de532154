import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface CuttingSseProxy {
  readonly url: string;
  /** How many live streams it has cut so far (it cuts only the first). */
  readonly cuts: number;
  /** The `Last-Event-ID` header of every stream request it forwarded (`undefined` when absent). */
  readonly lastEventIds: (string | undefined)[];
  close(): Promise<void>;
}

/**
 * An HTTP proxy in front of a Lightspeed server that cuts the first live stream
 * (`/sessions/:id/stream`) once it has carried `cutAfterEvents` durable events, as a restarted
 * proxy or a dropped connection would: the way to test that a follower resumes.
 */
export function cuttingSseProxy(target: string, cutAfterEvents: number): Promise<CuttingSseProxy> {
  let cuts = 0;
  const lastEventIds: (string | undefined)[] = [];
  const server: Server = createServer((req, res) => {
    const isStream = req.url?.includes('/stream') ?? false;
    if (isStream) lastEventIds.push(req.headers['last-event-id'] as string | undefined);
    const upstream = request(`${target}${req.url}`, { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      let events = 0;
      answer.on('data', (chunk: Buffer) => {
        res.write(chunk);
        if (!isStream || cuts > 0) return;
        events += (chunk.toString().match(/^event: event$/gm) ?? []).length;
        if (events >= cutAfterEvents) {
          cuts += 1;
          answer.destroy();
          res.destroy();
        }
      });
      answer.on('end', () => res.end());
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        get cuts() {
          return cuts;
        },
        lastEventIds,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      }),
    ),
  );
}
