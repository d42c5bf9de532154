import { LightspeedError, type MemoryEntityInput, type MemoryGraphInput, type MemoryPersonMapping } from '@lightspeed/ports';

/*
 * People across tools are one entity only when something proves it: the same email in a payload
 * (transforms key people by `email:<address>` when they have one, and name an identity a payload
 * ties to an email, such as a GitHub commit author's login), or an explicit mapping in the
 * source's config. Never a display name. Linking is by alias: the identities' keys become aliases
 * of one canonical person (`email:<address>` when known), so edges already written under any of
 * them are folded into it (sql-memory-graph.ts).
 */

/** The identity fields, in the order the first present one is the canonical key when no email is given. */
const IDENTITIES = ['github', 'linear', 'sentry', 'vercel'] as const;
const GITHUB_LOGIN = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/;
const PROVIDER_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,255}$/;

/** The person key an identity of a mapping names: the key the transforms give the same person. */
export function personKey(kind: (typeof IDENTITIES)[number] | 'email', value: string): string {
  switch (kind) {
    case 'email':
      return `email:${value.toLowerCase()}`;
    case 'github':
      return `github:${value}`;
    default:
      return `${kind}:user:${value}`;
  }
}

/** Every person key of one mapping, the canonical one first. */
export function mappingKeys(mapping: MemoryPersonMapping): string[] {
  const keys = mapping.email !== undefined ? [personKey('email', mapping.email)] : [];
  for (const kind of IDENTITIES) {
    const value = mapping[kind];
    if (value !== undefined) keys.push(personKey(kind, value));
  }
  return keys;
}

/** Refuses a mapping list that would do nothing or say two things: an entry with fewer than two identities, a malformed one, an identity in two entries. */
export function checkPeople(people: readonly MemoryPersonMapping[]): MemoryPersonMapping[] {
  const owner = new Map<string, number>();
  return people.map((mapping, i) => {
    const field = (name: string) => `people[${i}]${name ? `.${name}` : ''}`;
    const unknown = Object.keys(mapping).find((k) => k !== 'email' && !(IDENTITIES as readonly string[]).includes(k));
    if (unknown) throw new LightspeedError('invalid', `${field(unknown)}: not an identity (github, linear, sentry, vercel, email)`, { field: field(unknown) });
    if (mapping.email !== undefined && !EMAIL.test(mapping.email)) throw new LightspeedError('invalid', `${field('email')}: not an email address`, { field: field('email') });
    if (mapping.github !== undefined && !GITHUB_LOGIN.test(mapping.github)) throw new LightspeedError('invalid', `${field('github')}: not a GitHub login`, { field: field('github') });
    for (const kind of ['linear', 'sentry', 'vercel'] as const) {
      const value = mapping[kind];
      if (value !== undefined && !PROVIDER_ID.test(value)) throw new LightspeedError('invalid', `${field(kind)}: 1-128 characters of [A-Za-z0-9._:-]`, { field: field(kind) });
    }
    const keys = mappingKeys(mapping);
    // One identity alone links nothing: refused rather than silently kept.
    if (keys.length < 2) throw new LightspeedError('invalid', `${field('')}: a mapping links at least two identities`, { field: field('') });
    for (const key of keys) {
      const other = owner.get(key);
      if (other !== undefined) throw new LightspeedError('invalid', `${field('')}: ${key} is also in people[${other}]`, { field: field('') });
      owner.set(key, i);
    }
    const clean: MemoryPersonMapping = {};
    for (const kind of [...IDENTITIES, 'email'] as const) if (mapping[kind] !== undefined) clean[kind] = mapping[kind];
    return clean;
  });
}

/** The person entities (canonical key, other keys as aliases) that the mappings link among the people `graph` names. */
export function linkPeople(graph: MemoryGraphInput, people: readonly MemoryPersonMapping[]): MemoryGraphInput {
  if (people.length === 0) return graph;
  const named = new Set(graph.entities.filter((e) => e.type === 'person').flatMap((e) => [e.key, ...(e.aliases ?? [])]));
  const linked: MemoryEntityInput[] = [];
  for (const mapping of people) {
    const keys = mappingKeys(mapping);
    if (keys.some((k) => named.has(k))) linked.push({ type: 'person', key: keys[0]!, aliases: keys.slice(1) });
  }
  return linked.length ? { ...graph, entities: [...linked, ...graph.entities] } : graph;
}
