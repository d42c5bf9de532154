import type { ResultOf } from '@lightspeed/api';

export type SensorEventRow = ResultOf<'events/read'>['event'];
type Firing = SensorEventRow['firings'][number];

/** What one trigger firing did: the task it created (or found, deduped), the workflow it started or advanced, or its error. */
export function FiringSummary(props: { firing: Firing }) {
  const { firing } = props;
  return (
    <span class="firing">
      {`${firing.triggerId}: `}
      {firing.taskId ? (
        <>
          <a href={`/console/tasks/${encodeURIComponent(firing.taskId)}`}>{firing.taskId}</a>
          {firing.deduped ? ' (deduped: the task existed)' : ' (created)'}
        </>
      ) : null}
      {firing.workflow ? (
        <>
          {firing.taskId ? ', ' : ''}
          {'workflow '}
          <a href={`/console/workflows/${encodeURIComponent(firing.workflow.instanceKey)}`}>{firing.workflow.instanceKey}</a>
          {` (${firing.workflow.outcome})`}
        </>
      ) : null}
      {firing.error ? <span class="failure">{firing.error}</span> : null}
    </span>
  );
}

/** All firings of an event, one per line (or a dash: no trigger matched). */
export function Firings(props: { event: SensorEventRow }) {
  if (props.event.firings.length === 0) return <>no trigger matched</>;
  return (
    <ul class="plain">
      {props.event.firings.map((firing) => (
        <li>
          <FiringSummary firing={firing} />
        </li>
      ))}
    </ul>
  );
}
