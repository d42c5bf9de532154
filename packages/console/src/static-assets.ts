import { readFile } from 'node:fs/promises';
import type { Hono } from 'hono';

// `static/` sits beside both `src/` (tests, from source) and `dist/` (the built package).
const STATIC_DIR = new URL('../static/', import.meta.url);

const ASSETS = {
  'console.js': 'text/javascript; charset=utf-8',
  'console.css': 'text/css; charset=utf-8',
  'favicon.svg': 'image/svg+xml',
} as const;

/** The console's script and stylesheet: a fixed list of files, read once, never a path from the URL. */
export function staticAssets(app: Hono): void {
  const cache = new Map<string, Promise<string>>();
  for (const [name, type] of Object.entries(ASSETS)) {
    app.get(`/console/static/${name}`, async (c) => {
      let body = cache.get(name);
      if (!body) cache.set(name, (body = readFile(new URL(name, STATIC_DIR), 'utf8')));
      c.header('content-type', type);
      c.header('x-content-type-options', 'nosniff');
      c.header('cache-control', 'no-cache');
      return c.body(await body);
    });
  }
}
