import type { AgentHost } from '@lightspeed/driver';
import type { SessionState } from '@lightspeed/engine';
import type { SessionListStatus, SessionSummary } from '@lightspeed/ports';

/** What `session/list` may filter on beyond its cursor (all optional; absent = everything). */
export interface SessionListFilter {
  search?: string | null | undefined;
  status?: SessionListStatus | null | undefined;
  agent?: string | null | undefined;
  model?: string | null | undefined;
}

/**
 * How many sessions one filtered call examines at most. The list projection holds no agent or
 * model, so a filter reads each session's state; a sparse filter answers a short (even empty)
 * page with a `nextCursor` to go on, rather than scanning a whole universe in one call.
 */
export const FILTER_SCAN_LIMIT = 200;

export interface FilteredPage {
  sessions: SessionSummary[];
  nextCursor?: string;
}

function needsState(filter: SessionListFilter): boolean {
  return Boolean(filter.agent || filter.model || filter.search);
}

/** Whether a session matches; `state` is read only when the summary alone cannot say. */
function matches(summary: SessionSummary, state: SessionState | undefined, filter: SessionListFilter): boolean {
  const agent = state?.config?.origin?.profileId;
  if (filter.agent && agent !== filter.agent) return false;
  if (filter.model) {
    const model = state?.config?.model;
    if (!model || (model.model !== filter.model && `${model.providerId}/${model.model}` !== filter.model)) return false;
  }
  if (filter.search) {
    const needle = filter.search.toLowerCase();
    const haystack = [summary.sessionId, summary.displayName ?? '', agent ?? ''];
    if (!haystack.some((text) => text.toLowerCase().includes(needle))) return false;
  }
  return true;
}

/**
 * A page of sessions matching the filter, newest activity first. The status goes to the store's
 * own filter; the rest is checked per session. Each store page asks for no more sessions than are
 * still wanted, so every examined session fits the answer and the store's opaque cursor after the
 * last one is exactly where the next call resumes.
 */
export async function filteredSessions(
  host: AgentHost,
  universe: string,
  options: { limit: number; cursor?: string | undefined },
  filter: SessionListFilter,
): Promise<FilteredPage> {
  const status = filter.status ?? undefined;
  if (!needsState(filter)) {
    return host.listSessions(universe, { limit: options.limit, ...(options.cursor ? { cursor: options.cursor } : {}), ...(status ? { status } : {}) });
  }
  const found: SessionSummary[] = [];
  let cursor = options.cursor;
  let examined = 0;
  for (;;) {
    const want = Math.min(options.limit - found.length, FILTER_SCAN_LIMIT - examined);
    const page = await host.listSessions(universe, { limit: want, ...(cursor ? { cursor } : {}), ...(status ? { status } : {}) });
    const states = await Promise.all(page.sessions.map((summary) => host.state({ universe, sessionId: summary.sessionId }).catch(() => undefined)));
    page.sessions.forEach((summary, index) => {
      if (matches(summary, states[index], filter)) found.push(summary);
    });
    examined += page.sessions.length;
    cursor = page.nextCursor;
    if (!cursor) return { sessions: found };
    if (found.length >= options.limit || examined >= FILTER_SCAN_LIMIT) return { sessions: found, nextCursor: cursor };
  }
}
