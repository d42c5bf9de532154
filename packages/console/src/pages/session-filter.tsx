/** The sessions list's search and filters: GET query parameters passed to `session/list` as is. */
export interface SessionFilter {
  search?: string;
  /** As typed in the query: the API refuses anything but its statuses, naming the field. */
  status?: 'idle' | 'active' | 'closed';
  agent?: string;
  model?: string;
}

const FIELDS = ['search', 'status', 'agent', 'model'] as const;
const STATUSES = ['idle', 'active', 'closed'];

/** The filter fields present and non-empty in a query (the API validates them and names a bad one). */
export function sessionFilterOf(query: Record<string, string>): SessionFilter {
  const filter: SessionFilter = {};
  for (const field of FIELDS) {
    const value = query[field]?.trim();
    if (value) (filter as Record<string, string>)[field] = value;
  }
  return filter;
}

/** The filter as a query string (for paging links), starting with `&` when not empty. */
export function filterQuery(filter: SessionFilter): string {
  const params = new URLSearchParams(Object.entries(filter) as [string, string][]).toString();
  return params ? `&${params}` : '';
}

export function SessionFilterForm(props: { filter: SessionFilter; profiles: string[] }) {
  const { filter } = props;
  return (
    <form method="get" action="/console/sessions" class="filters" role="search" aria-label="Search sessions">
      <label for="filter-search">Search</label>
      <input id="filter-search" name="search" type="search" value={filter.search ?? ''} placeholder="name, id or agent" />
      <label for="filter-status">Status</label>
      <select id="filter-status" name="status">
        <option value="">any</option>
        {STATUSES.map((status) => (
          <option value={status} selected={filter.status === status}>
            {status}
          </option>
        ))}
      </select>
      <label for="filter-agent">Agent</label>
      <select id="filter-agent" name="agent">
        <option value="">any</option>
        {props.profiles.map((profile) => (
          <option value={profile} selected={filter.agent === profile}>
            {profile}
          </option>
        ))}
      </select>
      <label for="filter-model">Model</label>
      <input id="filter-model" name="model" value={filter.model ?? ''} placeholder="model or provider/model" />
      <button type="submit">Filter</button>
      {Object.keys(filter).length > 0 ? <a href="/console/sessions">Clear</a> : null}
    </form>
  );
}
