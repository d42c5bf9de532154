import type { Hono } from 'hono';
import type { ConsoleAuth, ConsoleCaller } from './console-auth.js';
import { consoleRoute } from './console-context.js';
import { ScheduleFormPage, scheduleOfForm } from './pages/schedule-form.js';
import { SchedulesPage } from './pages/schedules-page.js';

/** How many next fire times each row previews (schedules/read `preview`). */
const PREVIEW = 3;

/** The schedules view and its actions, over `schedules/*`. */
export function scheduleRoutes(app: Hono, auth: ConsoleAuth): void {
  app.get(
    '/console/schedules',
    consoleRoute(auth, async (c, { caller, frame }) => {
      const { schedules } = await caller.api.call('schedules/list', { limit: 100 });
      // The list carries no fire-time preview: read each (as the sessions list reads each session).
      const rows = await Promise.all(schedules.map(async (schedule) => (await caller.api.call('schedules/read', { scheduleId: schedule.scheduleId, preview: PREVIEW })).schedule));
      return c.html(<SchedulesPage frame={frame('Schedules', 'schedules')} schedules={rows} />);
    }),
  );

  const agentsOf = async (caller: ConsoleCaller) =>
    ((await caller.api.call('profiles/list', {})).profiles ?? []).map((profile) => profile.profileId);

  app.get(
    '/console/schedules/new',
    consoleRoute(auth, async (c, { caller, frame }) => c.html(<ScheduleFormPage frame={frame('New schedule', 'schedules')} agents={await agentsOf(caller)} />)),
  );

  app.get(
    '/console/schedules/:scheduleId/edit',
    consoleRoute(auth, async (c, { caller, frame }) => {
      const { schedule } = await caller.api.call('schedules/read', { scheduleId: c.req.param('scheduleId')! });
      return c.html(<ScheduleFormPage frame={frame(`Edit ${schedule.scheduleId}`, 'schedules')} schedule={schedule} agents={await agentsOf(caller)} />);
    }),
  );

  // Create (expectedRevision 0: never overwrites) or save an edit (the revision it was read at).
  app.post(
    '/console/schedules',
    consoleRoute(auth, async (c, { caller }, form) => {
      await caller.api.call('schedules/put', scheduleOfForm(form));
      return c.redirect('/console/schedules', 303);
    }),
  );

  for (const action of ['pause', 'resume', 'run'] as const) {
    app.post(
      `/console/schedules/:scheduleId/${action}`,
      consoleRoute(auth, async (c, { caller }) => {
        await caller.api.call(`schedules/${action}`, { scheduleId: c.req.param('scheduleId')! });
        return c.redirect('/console/schedules', 303);
      }),
    );
  }
}
