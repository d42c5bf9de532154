import { isAgentApiFailure, type DispatchStatusResponse } from '@lightspeed/api';
import type { Hono } from 'hono';
import type { ConsoleAuth } from './console-auth.js';
import { consoleRoute } from './console-context.js';
import type { InProcessFetch } from './gateway-api.js';
import { HealthPage, type HealthFacts } from './pages/health-page.js';

/** The health page: `GET /health`, `models/list` and `dispatch/status`, as the API answers them. */
export function healthRoutes(app: Hono, auth: ConsoleAuth, gateway: InProcessFetch): void {
  app.get(
    '/console/health',
    consoleRoute(auth, async (c, { caller, frame }) => {
      const server = (await (await gateway.request('/health', { method: 'GET' })).json()) as HealthFacts['server'];
      const models = (await caller.api.call('models/list', {})) as HealthFacts['models'];
      const dispatch = await caller.api.call('dispatch/status', {}).then(
        (status) => status as DispatchStatusResponse,
        (error: unknown) => {
          if (isAgentApiFailure(error) && error.kind === 'not_found') return { unavailable: error.message };
          throw error;
        },
      );
      return c.html(<HealthPage frame={frame('Health', 'health')} facts={{ server, models, dispatch }} />);
    }),
  );
}
