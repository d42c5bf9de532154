import type { MemoryEvent, SensorEventInput, TaskJson } from '@lightspeed/ports';

/*
 * Every memory event is also a sensor event, so trigger rules (docs/0021) act on it without glue:
 * source `memory:<provider>`, type `<type>.<action>` (`pull_request.merged`, `issue.created`;
 * characters outside the sensor-name alphabet become `-`), dedupe key `memory:<eventId>`.
 * Trigger filters are equalities, so the payload carries `band` for significance thresholds:
 * `high` ≥ 70, `medium` ≥ 40, else `low` ("a Sentry issue with significance ≥ 70" is
 * `--source memory:sentry --filter band=high`). The ingress forwards on every accepted delivery,
 * repeats included; the intake's dedupe key makes that idempotent, and it means a crash between
 * recording and forwarding is repaired by the provider's redelivery.
 */

/** Where sensor events go: `createOperations(storage).intake` (`@lightspeed/schedules`). */
export interface SensorSink {
  ingest(universe: string, input: SensorEventInput): Promise<unknown>;
}

export const HIGH_SIGNIFICANCE = 70;
export const MEDIUM_SIGNIFICANCE = 40;

function sensorName(text: string): string {
  const name = text.replace(/[^A-Za-z0-9._:/@-]/g, '-').replace(/^[^A-Za-z0-9]+/, '');
  return (name || 'event').slice(0, 128);
}

export function sensorEventOf(event: MemoryEvent): SensorEventInput {
  const band = event.significance >= HIGH_SIGNIFICANCE ? 'high' : event.significance >= MEDIUM_SIGNIFICANCE ? 'medium' : 'low';
  const payload: { [key: string]: TaskJson } = {
    eventId: event.eventId,
    sourceId: event.sourceId,
    provider: event.provider,
    type: event.type,
    action: event.action ?? null,
    title: event.title,
    significance: event.significance,
    band,
    occurredAt: event.occurredAt,
    primary: event.primary ? { type: event.primary.type, key: event.primary.key } : null,
    attributes: event.attributes,
  };
  return {
    source: `memory:${event.provider}`,
    type: sensorName(event.action ? `${event.type}.${event.action}` : event.type),
    dedupeKey: `memory:${event.eventId}`,
    subject: event.title.slice(0, 512),
    payload,
    ...(event.rawRef ? { rawRef: event.rawRef } : {}),
  };
}
