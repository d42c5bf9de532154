import type { ResultOf } from '@lightspeed/api';
import { ListHead } from './list-head.js';
import { FormToken, Layout, type PageFrame } from './layout.js';
import { when } from './format.js';

export type EnvironmentRow = ResultOf<'environments/list'>['environments'][number];

/** How an environment runs its commands, in words: isolated, or why not. */
export function isolationText(sandbox: EnvironmentRow['sandbox']): string {
  if (sandbox.isolated) return `isolated (${sandbox.isolation}${sandbox.network ? ', network allowed' : ', no network'})`;
  return sandbox.notice ?? 'not isolated';
}

/** The universe's environments (local sandboxes over a workspace), and a form to create one. */
export function EnvironmentsPage(props: { frame: PageFrame; environments: EnvironmentRow[] }) {
  const { frame } = props;
  return (
    <Layout {...frame}>
      {props.environments.length === 0 ? (
        <p class="empty">No environments in this universe (create one below, with environments/create or `lightspeed environments create`).</p>
      ) : (
        <table class="list" id="environments">
          <ListHead columns={['Environment', 'State', 'Workspace', 'Session', 'Isolation', 'Updated']} />
          <tbody>
            {props.environments.map((environment) => (
              <tr data-environment-id={environment.environmentId}>
                <td>
                  <a href={`/console/environments/${encodeURIComponent(environment.environmentId)}`}>{environment.displayName ? `${environment.displayName} (${environment.environmentId})` : environment.environmentId}</a>
                </td>
                <td>
                  <span class={`badge badge-${environment.sandbox.state}`}>{environment.sandbox.state}</span>
                </td>
                <td>{environment.sandbox.workspaceId}</td>
                <td>{environment.originSession ? <a href={`/console/sessions/${encodeURIComponent(environment.originSession.sessionId)}`}>{environment.originSession.sessionId}</a> : '—'}</td>
                <td>{isolationText(environment.sandbox)}</td>
                <td>{when(environment.updatedAtMs)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2>New environment</h2>
      <form method="post" action="/console/environments" class="stack" id="environment-form">
        <FormToken csrf={frame.csrf} />
        <label for="environment-id">Environment id</label>
        <input id="environment-id" name="environmentId" required pattern="[A-Za-z0-9][A-Za-z0-9._\-]*" />
        <label for="environment-workspace">Workspace id (its head is materialised into the directory)</label>
        <input id="environment-workspace" name="workspaceId" required />
        <label for="environment-name">Name (optional)</label>
        <input id="environment-name" name="displayName" />
        <button type="submit">Create environment</button>
      </form>
    </Layout>
  );
}
