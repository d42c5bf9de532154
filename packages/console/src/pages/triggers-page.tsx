import type { ResultOf } from '@lightspeed/api';
import { ListHead } from './list-head.js';
import { Layout, type PageFrame } from './layout.js';
import { when } from './format.js';

export type TriggerRow = ResultOf<'triggers/list'>['triggers'][number];

/**
 * The trigger rules: what they match and what they start. The API never returns a webhook
 * secret (only `hasSecret`), so the page cannot show one.
 */
export function TriggersPage(props: { frame: PageFrame; triggers: TriggerRow[] }) {
  return (
    <Layout {...props.frame}>
      <p>
        <a href="/console/events">Sensor events</a>
      </p>
      {props.triggers.length === 0 ? (
        <p class="empty">No triggers in this universe (create one with triggers/put or `lightspeed triggers put`).</p>
      ) : (
        <table class="list">
          <ListHead columns={['Trigger', 'Enabled', 'Source', 'Type', 'Filter', 'Task', 'Workflow', 'Webhook', 'Updated']} />
          <tbody>
            {props.triggers.map((trigger) => (
              <tr data-trigger-id={trigger.triggerId}>
                <td>{trigger.triggerId}</td>
                <td>{trigger.enabled ? 'yes' : 'no'}</td>
                <td>{trigger.match.source}</td>
                <td>{trigger.match.type ?? 'any'}</td>
                <td>{trigger.match.filter ? <pre class="args">{JSON.stringify(trigger.match.filter, null, 2)}</pre> : '—'}</td>
                <td>{trigger.task ? `${trigger.task.kind} → ${trigger.task.agent}` : '—'}</td>
                <td>{trigger.workflow ? `${trigger.workflow.templateId} (${trigger.workflow.instanceKey})${trigger.workflow.advance ? ', advances' : ''}` : '—'}</td>
                <td>{trigger.webhook ? `${trigger.webhook.scheme} at ${trigger.hookPath ?? '?'}${trigger.hasSecret ? ' (secret set)' : ''}` : '—'}</td>
                <td>{when(trigger.updatedAtMs)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Layout>
  );
}
