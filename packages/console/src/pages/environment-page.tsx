import type { ResultOf } from '@lightspeed/api';
import { isolationText, type EnvironmentRow } from './environments-page.js';
import { FormToken, Layout, type PageFrame } from './layout.js';
import { when } from './format.js';

export type EnvironmentCredential = ResultOf<'environments/credentials/list'>['credentials'][number];

/** One environment: its sandbox, its credentials (names only: values never leave the server), run a command, close. */
export function EnvironmentPage(props: { frame: PageFrame; environment: EnvironmentRow; credentials: EnvironmentCredential[] }) {
  const { frame, environment } = props;
  const { sandbox } = environment;
  const base = `/console/environments/${encodeURIComponent(environment.environmentId)}`;
  const open = sandbox.state !== 'closed';
  return (
    <Layout {...frame}>
      <p>
        <a href="/console/environments">All environments</a>
      </p>
      <dl class="facts" id="environment-facts">
        <dt>State</dt>
        <dd>
          <span class={`badge badge-${sandbox.state}`}>{sandbox.state}</span>
          {sandbox.runningCommandId ? ` (running ${sandbox.runningCommandId})` : ''}
        </dd>
        <dt>Workspace</dt>
        <dd>{sandbox.workspaceId}</dd>
        <dt>Session</dt>
        <dd>{environment.originSession ? <a href={`/console/sessions/${encodeURIComponent(environment.originSession.sessionId)}`}>{environment.originSession.sessionId}</a> : '—'}</dd>
        <dt>Isolation</dt>
        <dd id="environment-isolation">{isolationText(sandbox)}</dd>
        <dt>Variables passed</dt>
        <dd>{sandbox.envAllow.length ? sandbox.envAllow.join(', ') : 'none'}</dd>
        <dt>Credentials</dt>
        <dd>{props.credentials.length ? props.credentials.map((c) => c.envName).join(', ') : 'none'}</dd>
        <dt>Created</dt>
        <dd>{when(environment.createdAtMs)}</dd>
        <dt>Updated</dt>
        <dd>{when(environment.updatedAtMs)}</dd>
      </dl>
      {open ? (
        <>
          <h2>Run a command</h2>
          <form method="post" action={`${base}/jobs`} class="stack" id="job-form">
            <FormToken csrf={frame.csrf} />
            <label for="job-command">Command (run by /bin/sh -c in the environment's directory; its changes become a new workspace snapshot)</label>
            <input id="job-command" name="command" required autocomplete="off" />
            <label for="job-timeout">Timeout in seconds (default 60, at most 3600)</label>
            <input id="job-timeout" name="timeoutSeconds" inputmode="numeric" />
            <button type="submit">Run</button>
          </form>
          <div class="actions">
            <form method="post" action={`${base}/close`} class="inline">
              <FormToken csrf={frame.csrf} />
              <button type="submit" class="danger">
                Close environment
              </button>
            </form>
          </div>
        </>
      ) : (
        <p class="empty">Closed: its directory is gone; the workspace keeps every collected change and jobs stay readable.</p>
      )}
    </Layout>
  );
}
