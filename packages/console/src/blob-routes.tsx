import type { Hono } from 'hono';
import type { ConsoleAuth } from './console-auth.js';
import { consoleRoute } from './console-context.js';
import { BlobPage, textOfBytes } from './pages/blob-page.js';

function consolePathOr(back: string | undefined, fallback: string): string {
  // Only a path of this console: never another origin (`//host`) or a scheme.
  return back !== undefined && /^\/console\/[^/\\]/.test(back) && !back.startsWith('//') ? back : fallback;
}

/** One body of the caller's universe from CAS (a task attempt's evidence: stdout, stderr, a diff), as text. */
export function blobRoutes(app: Hono, auth: ConsoleAuth): void {
  app.get(
    '/console/blobs/:blobRef',
    consoleRoute(auth, async (c, { caller, frame }) => {
      const blob = await caller.api.call('blobs/read', { blobRef: c.req.param('blobRef')! });
      const text = textOfBytes(Buffer.from(blob.bytesBase64, 'base64'));
      const back = consolePathOr(c.req.query('back'), '/console/tasks');
      return c.html(<BlobPage frame={frame('Stored body', 'tasks')} blobRef={blob.blobRef} bytes={blob.bytes} text={text} back={back} backLabel="Back" />);
    }),
  );
}
