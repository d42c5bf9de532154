import { LightspeedError, MEMORY_PROVIDERS, type MemorySearchFilters } from '@lightspeed/ports';

/*
 * The filters every search path applies to the events it ranks (alias `e`), as SQL appended to a
 * WHERE clause. Each path filters inside its own query so its depth counts only eligible events.
 */

const MAX_FILTER_VALUES = 64;

function list(field: string, values: readonly string[] | undefined): string[] | undefined {
  if (values === undefined) return undefined;
  if (!Array.isArray(values) || values.length > MAX_FILTER_VALUES || values.some((v) => typeof v !== 'string' || v.length === 0 || v.length > 512)) {
    throw new LightspeedError('invalid', `filters.${field}: at most ${MAX_FILTER_VALUES} values of 1-512 characters`, { field: `filters.${field}` });
  }
  return values.length ? [...values] : undefined;
}

function epoch(field: string, value: number | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isSafeInteger(value)) throw new LightspeedError('invalid', `filters.${field}: must be epoch milliseconds`, { field: `filters.${field}` });
  return value;
}

/** `AND …` conditions on `e` for `filters`; their values are pushed onto `params` (placeholders follow its length). */
export function searchFilterSql(filters: MemorySearchFilters, params: unknown[]): string {
  const parts: string[] = [];
  const add = (sql: (p: string) => string, value: unknown) => {
    params.push(value);
    parts.push(sql(`$${params.length}`));
  };
  const sources = list('sourceIds', filters.sourceIds);
  if (sources) add((p) => `e.source_id = ANY(${p}::text[])`, sources);
  const providers = list('providers', filters.providers);
  if (providers?.some((p) => !MEMORY_PROVIDERS.includes(p as never))) throw new LightspeedError('invalid', `filters.providers: each one of ${MEMORY_PROVIDERS.join(', ')}`, { field: 'filters.providers' });
  if (providers) add((p) => `e.provider = ANY(${p}::text[])`, providers);
  const types = list('types', filters.types);
  if (types) add((p) => `e.type = ANY(${p}::text[])`, types);
  const after = epoch('after', filters.after);
  if (after !== undefined) add((p) => `e.occurred_at >= ${p}::bigint`, after);
  const before = epoch('before', filters.before);
  if (before !== undefined) add((p) => `e.occurred_at < ${p}::bigint`, before);
  const entityTypes = list('entityTypes', filters.entityTypes);
  // The primary entity is a column; related ones are the event's JSON list.
  if (entityTypes) add((p) => `(e.primary_type = ANY(${p}::text[]) OR EXISTS (SELECT 1 FROM json_array_elements(e.related::json) r WHERE r->>'type' = ANY(${p}::text[])))`, entityTypes);
  if (filters.minSignificance !== undefined) {
    if (!Number.isInteger(filters.minSignificance) || filters.minSignificance < 0 || filters.minSignificance > 100) {
      throw new LightspeedError('invalid', 'filters.minSignificance: an integer 0-100', { field: 'filters.minSignificance' });
    }
    add((p) => `e.significance >= ${p}::integer`, filters.minSignificance);
  }
  return parts.map((part) => ` AND ${part}`).join('');
}

/** Candidates a path returns at most. */
export const MAX_SEARCH_DEPTH = 1000;

export function checkDepth(depth: number): number {
  if (!Number.isInteger(depth) || depth < 1 || depth > MAX_SEARCH_DEPTH) throw new LightspeedError('invalid', `depth: an integer 1-${MAX_SEARCH_DEPTH}`, { field: 'depth' });
  return depth;
}
