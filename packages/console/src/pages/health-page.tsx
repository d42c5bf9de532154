import type { DispatchStatusResponse, ResultOf } from '@lightspeed/api';
import { ListHead } from './list-head.js';
import { Layout, type PageFrame } from './layout.js';
import { when } from './format.js';

export interface HealthFacts {
  server: { status: string; protocolVersion?: string; server?: { name: string; version: string } };
  models: ResultOf<'models/list'>;
  /** The dispatcher's status, or why it is not available (no task queue on this server). */
  dispatch: DispatchStatusResponse | { unavailable: string };
}

/** What the API reports about this server: its identity, providers (never their secrets), models, dispatch. */
export function HealthPage(props: { frame: PageFrame; facts: HealthFacts }) {
  const { server, models, dispatch } = props.facts;
  return (
    <Layout {...props.frame}>
      <dl class="facts">
        <dt>Server</dt>
        <dd>{`${server.server?.name ?? 'lightspeed'} ${server.server?.version ?? ''} · ${server.status}`}</dd>
        <dt>Protocol</dt>
        <dd>{server.protocolVersion ?? '—'}</dd>
      </dl>
      <h2>Providers</h2>
      <table class="list">
        <ListHead columns={['Provider', 'API kinds', 'Credential', 'Problem']} />
        <tbody>
          {(models.providers ?? []).map((provider) => (
            <tr>
              <td>{provider.providerId}</td>
              <td>{provider.apiKinds.join(', ')}</td>
              <td>{`${provider.credential} (${provider.credentialSource})`}</td>
              <td>{provider.error ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>Models</h2>
      <ul>
        {(models.models ?? []).map((model) => (
          <li>{`${model.providerId}/${model.model} (${model.apiKind})`}</li>
        ))}
      </ul>
      <h2>Task dispatch</h2>
      {'unavailable' in dispatch ? (
        <p class="empty">{dispatch.unavailable}</p>
      ) : (
        <>
          <p>{dispatch.paused ? 'Paused for the whole universe.' : `Running · ${dispatch.dispatchers.length} dispatcher(s) alive · ${dispatch.expiredLeases} expired lease(s)`}</p>
          <ul>
            {dispatch.dispatchers.map((dispatcher) => (
              <li>{`${dispatcher.id}: ${dispatcher.inFlight} in flight, heartbeat ${when(dispatcher.heartbeatAtMs)}${dispatcher.lastError ? `, last error: ${dispatcher.lastError.message}` : ''}`}</li>
            ))}
          </ul>
          {dispatch.lastError ? <p class="failure">{`${dispatch.lastError.dispatcher}: ${dispatch.lastError.message}`}</p> : null}
        </>
      )}
    </Layout>
  );
}
