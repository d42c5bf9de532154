import { invalidRequest, type DispatchPause, type TaskAttemptView, type TaskView } from '@lightspeed/api';
import type { Hono } from 'hono';
import type { ConsoleAuth } from './console-auth.js';
import { consoleRoute } from './console-context.js';
import type { InProcessFetch } from './gateway-api.js';
import { TaskPage } from './pages/task-page.js';
import { TasksPage } from './pages/tasks-page.js';
import { taskStreamProxy } from './stream-proxy.js';

const taskPath = (id: string) => `/console/tasks/${encodeURIComponent(id)}`;

function payloadOf(text: string | undefined): unknown {
  const source = (text ?? '').trim() || '{}';
  try {
    return JSON.parse(source);
  } catch {
    throw invalidRequest('payload: not valid JSON');
  }
}

/** The task queue views and actions, over `tasks/*` and `dispatch/status` (served when the server has a queue). */
export function taskRoutes(app: Hono, auth: ConsoleAuth, gateway: InProcessFetch): void {
  app.get('/console/tasks/events', taskStreamProxy(auth, gateway));

  app.get(
    '/console/tasks',
    consoleRoute(auth, async (c, { caller, frame }) => {
      const state = c.req.query('state') || undefined;
      const [list, status, profiles] = await Promise.all([
        caller.api.call('tasks/list', { limit: 100, ...(state ? { states: [state as TaskView['state']] } : {}) }),
        caller.api.call('dispatch/status', {}),
        caller.api.call('profiles/list', {}),
      ]);
      const counts = new Map(Object.entries(status.counts as Record<string, number>));
      const agents = (profiles.profiles ?? []).map((profile) => profile.profileId);
      return c.html(<TasksPage frame={frame('Tasks', 'tasks')} tasks={list.tasks as TaskView[]} counts={counts} state={state} agents={agents} pauses={status.pauses as DispatchPause[]} />);
    }),
  );

  app.post(
    '/console/tasks',
    consoleRoute(auth, async (c, { caller }, form) => {
      const subject = form.subject?.trim();
      const created = await caller.api.call('tasks/create', {
        agent: form.agent ?? '',
        kind: form.kind?.trim() || 'console.task',
        payload: payloadOf(form.payload),
        ...(subject ? { subject } : {}),
        source: 'console',
      });
      return c.redirect(taskPath(created.task.taskId), 303);
    }),
  );

  app.get(
    '/console/tasks/:taskId',
    consoleRoute(auth, async (c, { caller, frame }) => {
      const taskId = c.req.param('taskId')!;
      const [{ task }, { attempts }] = await Promise.all([caller.api.call('tasks/read', { taskId }), caller.api.call('tasks/attempts/list', { taskId })]);
      return c.html(<TaskPage frame={frame(task.subject || task.taskId, 'tasks')} task={task as TaskView} attempts={attempts as TaskAttemptView[]} />);
    }),
  );

  for (const action of ['cancel', 'retry'] as const) {
    app.post(
      `/console/tasks/:taskId/${action}`,
      consoleRoute(auth, async (c, { caller }) => {
        const taskId = c.req.param('taskId')!;
        await caller.api.call(action === 'cancel' ? 'tasks/cancel' : 'tasks/retry', { taskId });
        return c.redirect(taskPath(taskId), 303);
      }),
    );
  }

  app.post(
    '/console/dispatch/pause',
    consoleRoute(auth, async (c, { caller }, form) => {
      const agent = form.agent?.trim();
      const reason = form.reason?.trim();
      await caller.api.call('dispatch/pause', { ...(agent ? { agent } : {}), ...(reason ? { reason } : {}) });
      return c.redirect('/console/tasks', 303);
    }),
  );

  app.post(
    '/console/dispatch/resume',
    consoleRoute(auth, async (c, { caller }, form) => {
      const agent = form.agent?.trim();
      await caller.api.call('dispatch/resume', agent ? { agent } : {});
      return c.redirect('/console/tasks', 303);
    }),
  );
}
