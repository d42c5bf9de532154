import { randomUUID } from 'node:crypto';
import type { Hono } from 'hono';
import type { ConsoleAuth } from './console-auth.js';
import { consoleRoute } from './console-context.js';
import { ErrorPage } from './pages/error-page.js';
import { EnvironmentJobPage } from './pages/environment-job-page.js';
import { EnvironmentPage } from './pages/environment-page.js';
import { EnvironmentsPage } from './pages/environments-page.js';

/** Bytes of each stream a job page shows; the rest is a link to the whole output in CAS. */
const SHOWN_OUTPUT_BYTES = 64 * 1024;

function timeoutOf(value: string | undefined): number | undefined {
  const text = value?.trim();
  if (!text) return undefined;
  const seconds = Number(text);
  // The API refuses what is out of range with its own message; only "not a number" is caught here.
  return Number.isFinite(seconds) ? Math.round(seconds * 1000) : Number.NaN;
}

/** Environments (local sandboxes, docs/0027) over `environments/*`: list, create, run a command, watch and cancel its job, close. */
export function environmentRoutes(app: Hono, auth: ConsoleAuth): void {
  app.get(
    '/console/environments',
    consoleRoute(auth, async (c, { caller, frame }) => {
      const { environments } = await caller.api.call('environments/list', {});
      return c.html(<EnvironmentsPage frame={frame('Environments', 'environments')} environments={environments} />);
    }),
  );

  app.post(
    '/console/environments',
    consoleRoute(auth, async (c, { caller }, form) => {
      const environmentId = form.environmentId?.trim() ?? '';
      const name = form.displayName?.trim();
      const { environment } = await caller.api.call('environments/create', {
        requestId: environmentId,
        bindingId: 'local',
        templateId: 'local',
        workspaceId: form.workspaceId?.trim() ?? '',
        ...(name ? { displayName: name } : {}),
      });
      return c.redirect(`/console/environments/${encodeURIComponent(environment.environmentId)}`, 303);
    }),
  );

  app.get(
    '/console/environments/:environmentId',
    consoleRoute(auth, async (c, { caller, frame }) => {
      const environmentId = c.req.param('environmentId')!;
      const [{ environment }, { credentials }] = await Promise.all([caller.api.call('environments/read', { environmentId }), caller.api.call('environments/credentials/list', { environmentId })]);
      return c.html(<EnvironmentPage frame={frame(`Environment ${environmentId}`, 'environments')} environment={environment} credentials={credentials} />);
    }),
  );

  app.post(
    '/console/environments/:environmentId/jobs',
    consoleRoute(auth, async (c, { caller }, form) => {
      const environmentId = c.req.param('environmentId')!;
      const command = form.command ?? '';
      const timeoutMs = timeoutOf(form.timeoutSeconds);
      const started = await caller.api.call('environments/jobs/create', {
        environmentId,
        requestId: `console-${randomUUID()}`,
        jobs: [{ argv: ['/bin/sh', '-c', command], name: command.slice(0, 200), ...(timeoutMs !== undefined ? { timeoutMs } : {}) }],
      });
      const job = started.jobs[0]!;
      return c.redirect(`/console/environments/${encodeURIComponent(environmentId)}/jobs/${encodeURIComponent(job.jobId)}`, 303);
    }),
  );

  app.post(
    '/console/environments/:environmentId/close',
    consoleRoute(auth, async (c, { caller }) => {
      const environmentId = c.req.param('environmentId')!;
      await caller.api.call('environments/close', { environmentId });
      return c.redirect(`/console/environments/${encodeURIComponent(environmentId)}`, 303);
    }),
  );

  app.get(
    '/console/environments/:environmentId/jobs/:jobId',
    consoleRoute(auth, async (c, { caller, frame }) => {
      const environmentId = c.req.param('environmentId')!;
      const jobId = c.req.param('jobId')!;
      const { jobs } = await caller.api.call('environments/jobs/read', { jobs: [{ environmentId, jobId }], includeArtifacts: true, outputBytes: 2 * SHOWN_OUTPUT_BYTES });
      return c.html(<EnvironmentJobPage frame={frame(`Job ${jobId}`, 'environments')} environmentId={environmentId} jobId={jobId} entry={jobs[0]!} />);
    }),
  );

  app.post(
    '/console/environments/:environmentId/jobs/:jobId/cancel',
    consoleRoute(auth, async (c, { caller, frame }) => {
      const environmentId = c.req.param('environmentId')!;
      const jobId = c.req.param('jobId')!;
      const jobPath = `/console/environments/${encodeURIComponent(environmentId)}/jobs/${encodeURIComponent(jobId)}`;
      const { jobs } = await caller.api.call('environments/jobs/cancel', { jobs: [{ environmentId, jobId }], reason: 'cancelled from the console' });
      const refused = jobs[0]?.error;
      if (refused) return c.html(<ErrorPage frame={frame('Refused')} message={refused} back={jobPath} />, 400);
      return c.redirect(jobPath, 303);
    }),
  );
}
