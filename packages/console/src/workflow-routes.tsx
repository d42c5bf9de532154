import type { Hono } from 'hono';
import type { ConsoleAuth } from './console-auth.js';
import { consoleRoute } from './console-context.js';
import { WorkflowPage } from './pages/workflow-page.js';
import { workflowPath, WorkflowsPage } from './pages/workflows-page.js';

/** Workflow instances and the operator's advance / cancel, over `workflows/*`. */
export function workflowRoutes(app: Hono, auth: ConsoleAuth): void {
  app.get(
    '/console/workflows',
    consoleRoute(auth, async (c, { caller, frame }) => {
      const { workflows } = await caller.api.call('workflows/list', { limit: 100 });
      return c.html(<WorkflowsPage frame={frame('Workflows', 'workflows')} workflows={workflows} />);
    }),
  );

  app.get(
    '/console/workflows/:instanceKey',
    consoleRoute(auth, async (c, { caller, frame }) => {
      const instanceKey = c.req.param('instanceKey')!;
      // The instance names its template; the template's states come from the templates list.
      const [{ workflow }, { templates }] = await Promise.all([caller.api.call('workflows/read', { instanceKey }), caller.api.call('workflows/templates/list', {})]);
      const template = templates.find((candidate) => candidate.templateId === workflow.templateId);
      return c.html(<WorkflowPage frame={frame(`Workflow ${workflow.instanceKey}`, 'workflows')} workflow={workflow} template={template} />);
    }),
  );

  app.post(
    '/console/workflows/:instanceKey/advance',
    consoleRoute(auth, async (c, { caller }, form) => {
      const instanceKey = c.req.param('instanceKey')!;
      const to = form.to?.trim();
      const note = form.note?.trim();
      await caller.api.call('workflows/advance', { instanceKey, ...(to ? { to } : {}), ...(note ? { note } : {}) });
      return c.redirect(workflowPath(instanceKey), 303);
    }),
  );

  app.post(
    '/console/workflows/:instanceKey/cancel',
    consoleRoute(auth, async (c, { caller }, form) => {
      const instanceKey = c.req.param('instanceKey')!;
      const reason = form.reason?.trim();
      await caller.api.call('workflows/cancel', { instanceKey, ...(reason ? { reason } : {}) });
      return c.redirect(workflowPath(instanceKey), 303);
    }),
  );
}
