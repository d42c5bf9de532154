import type { SessionView } from '@lightspeed/api';
import { ListHead } from './list-head.js';
import { FormToken, Layout, type PageFrame } from './layout.js';
import { modelText, usageText, when } from './format.js';
import { filterQuery, SessionFilterForm, type SessionFilter } from './session-filter.js';

export { sessionFilterOf } from './session-filter.js';

export interface SessionRow {
  id: string;
  displayName?: string | null | undefined;
  updatedAtMs: number;
  /** The full view when it could be read (status, model, profile, usage). */
  view?: SessionView;
}

/** The sessions list (most recently active first) and the "new chat" form. */
export function SessionsPage(props: { frame: PageFrame; rows: SessionRow[]; nextCursor?: string | null | undefined; profiles: string[]; filter: SessionFilter }) {
  const { frame, rows, filter } = props;
  const filtered = Object.keys(filter).length > 0;
  return (
    <Layout {...frame}>
      <section aria-labelledby="new-chat">
        <h2 id="new-chat">New chat</h2>
        <form method="post" action="/console/sessions" class="stack">
          <FormToken csrf={frame.csrf} />
          <label for="new-message">Message</label>
          <textarea id="new-message" name="message" rows={3} required></textarea>
          {props.profiles.length > 0 ? (
            <>
              <label for="new-profile">Agent</label>
              <select id="new-profile" name="profile">
                <option value="">(none: the server's default model)</option>
                {props.profiles.map((profile) => (
                  <option value={profile}>{profile}</option>
                ))}
              </select>
            </>
          ) : null}
          <label class="check">
            <input type="checkbox" name="timers" value="on" /> Let the agent wait (sleep and wait_until tools)
          </label>
          <label class="check">
            <input type="checkbox" name="askUser" value="on" /> Let the agent ask you questions (ask_user tool)
          </label>
          <label for="new-ask-before">Ask before these tools run (comma-separated names or * patterns)</label>
          <input id="new-ask-before" name="askBefore" />
          <button type="submit">Start chat</button>
        </form>
      </section>
      <section aria-labelledby="session-list">
        <h2 id="session-list">Sessions</h2>
        <SessionFilterForm filter={filter} profiles={props.profiles} />
        {rows.length === 0 ? (
          <p class="empty">{filtered ? (props.nextCursor ? 'No matches among these sessions; look further below.' : 'No sessions match.') : 'No sessions yet.'}</p>
        ) : (
          <table class="list">
            <ListHead columns={['Session', 'Status', 'Agent', 'Model', 'Last activity', 'Usage']} />
            <tbody>
              {rows.map((row) => (
                <tr>
                  <td>
                    <a href={`/console/sessions/${encodeURIComponent(row.id)}`}>{row.displayName || row.id}</a>
                  </td>
                  <td>
                    <span class={`badge badge-${row.view?.status ?? 'unknown'}`}>{row.view?.status ?? '—'}</span>
                  </td>
                  <td>{row.view?.profile?.profileId ?? '—'}</td>
                  <td>{modelText(row.view?.config?.model)}</td>
                  <td>{when(row.updatedAtMs)}</td>
                  <td>{usageText(row.view?.usage)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {props.nextCursor ? (
          <p>
            <a href={`/console/sessions?cursor=${encodeURIComponent(props.nextCursor)}${filterQuery(filter)}`}>Older sessions</a>
          </p>
        ) : null}
      </section>
    </Layout>
  );
}
