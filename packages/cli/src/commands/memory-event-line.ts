/** A memory event as the API returns it (the fields the CLI prints). */
export interface MemoryEventView {
  eventId: string;
  provider: string;
  type: string;
  action?: string | null;
  occurredAtMs: number;
  title: string;
  significance: number;
  primary?: { type: string; key: string } | null;
  related: { type: string; key: string; relation: string }[];
  factors: { rule: string; points: number }[];
  attributes: Record<string, unknown>;
  body?: string | null;
  sourceKey: string;
  rawRef?: string | null;
}

/** One event a line: id, occurred at, significance, provider/type.action, title. */
export function eventLine(event: MemoryEventView): string {
  return [event.eventId, new Date(event.occurredAtMs).toISOString(), String(event.significance).padStart(3), `${event.provider}/${event.type}${event.action ? `.${event.action}` : ''}`, event.title].join('\t');
}
