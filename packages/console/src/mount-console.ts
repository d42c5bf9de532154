import { loopbackHostGuard, type GatewayAuth } from '@lightspeed/api';
import type { Hono } from 'hono';
import { authRoutes } from './auth-routes.js';
import { blobRoutes } from './blob-routes.js';
import { ConsoleAuth } from './console-auth.js';
import { environmentRoutes } from './environment-routes.js';
import { healthRoutes } from './health-routes.js';
import { memoryRoutes } from './memory-routes.js';
import { scheduleRoutes } from './schedule-routes.js';
import { sessionRoutes } from './session-routes.js';
import { staticAssets } from './static-assets.js';
import { taskRoutes } from './task-routes.js';
import { triggerRoutes } from './trigger-routes.js';
import { waitRoutes } from './wait-routes.js';
import { workflowRoutes } from './workflow-routes.js';

/**
 * Adds the web console to a gateway app: `/` redirects to it, its pages live under `/console/`.
 * The pages call the app's own `POST /rpc` and session streams in-process, as the signed-in
 * caller, so the console has exactly the API's auth and powers. On a single-user server the
 * loopback Host check (DNS rebinding) guards the pages as it guards `/mcp`; the gateway's browser
 * origin guard already refuses other sites' requests.
 */
export function mountConsole(app: Hono, auth: GatewayAuth): void {
  const consoleAuth = new ConsoleAuth(auth, app);
  app.use('/console/*', loopbackHostGuard(auth));
  app.use('/', loopbackHostGuard(auth));
  app.get('/', (c) => c.redirect('/console/sessions', 302));
  app.get('/console', (c) => c.redirect('/console/sessions', 302));
  app.get('/console/', (c) => c.redirect('/console/sessions', 302));
  staticAssets(app);
  authRoutes(app, consoleAuth);
  sessionRoutes(app, consoleAuth, app);
  waitRoutes(app, consoleAuth);
  taskRoutes(app, consoleAuth, app);
  scheduleRoutes(app, consoleAuth);
  triggerRoutes(app, consoleAuth);
  workflowRoutes(app, consoleAuth);
  memoryRoutes(app, consoleAuth);
  environmentRoutes(app, consoleAuth);
  healthRoutes(app, consoleAuth, app);
  blobRoutes(app, consoleAuth);
}
