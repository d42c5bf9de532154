/** Links between the memory pages: an entity by type and key (in the query: keys hold `/`, `#`, `:`), an event by id. */
export const memoryEntityPath = (entity: { type: string; key: string }) => `/console/memory/entity?type=${encodeURIComponent(entity.type)}&key=${encodeURIComponent(entity.key)}`;
export const memoryEventPath = (eventId: string) => `/console/memory/events/${encodeURIComponent(eventId)}`;

export function EntityLink(props: { entity: { type: string; key: string } | null | undefined }) {
  if (!props.entity) return <>—</>;
  return <a href={memoryEntityPath(props.entity)}>{`${props.entity.type} ${props.entity.key}`}</a>;
}
