import type { ContextEntry } from '../context/context-entry.js';
import { canonicalJson } from '../values/canonical-json.js';
import { digestOf, sha256Hex } from '../values/digest.js';
import type { CompactionRequest, GenerationRequest } from './generation.js';

/**
 * Request fingerprints. A fingerprint is a SHA-256 over the request's canonical JSON envelope in
 * which each list of context entries is replaced by a hash chain over the entries' canonical JSON
 * (`chain_i = sha256(chain_{i-1} + canonicalJson(entry_i))`) and the toolset by its digest. It
 * identifies the request exactly like a digest of the whole request would, but the planner and
 * the driver pay one small hash per *new* entry instead of re-hashing the whole conversation every
 * turn: chain steps are memoised per (immutable) entry object and chain prefix. The memo is a
 * cache of a pure function — it never changes a result, so the engine stays deterministic.
 */
const chainSteps = new WeakMap<object, Map<string, string>>();
const listDigests = new WeakMap<object, string>();
/** Distinct prefixes remembered per entry (a pinned entry sees few; bounded regardless). */
const MAX_PREFIXES_PER_ENTRY = 8;

function chainStep(previous: string, entry: ContextEntry): string {
  let steps = chainSteps.get(entry);
  if (steps === undefined) {
    steps = new Map();
    chainSteps.set(entry, steps);
  }
  let next = steps.get(previous);
  if (next === undefined) {
    next = sha256Hex(previous + canonicalJson(entry));
    if (steps.size >= MAX_PREFIXES_PER_ENTRY) steps.clear();
    steps.set(previous, next);
  }
  return next;
}

/** The hash chain of a list of entries ('' for an empty list). */
export function entriesChain(entries: readonly ContextEntry[]): string {
  let chain = '';
  for (const entry of entries) chain = chainStep(chain, entry);
  return chain;
}

function listDigest(list: readonly unknown[]): string {
  let digest = listDigests.get(list);
  if (digest === undefined) {
    digest = digestOf(list);
    listDigests.set(list, digest);
  }
  return digest;
}

/** The fingerprint guarding a re-derived request (see above for its exact definition). */
export function fingerprintOf(request: GenerationRequest | CompactionRequest): string {
  if ('turnId' in request) {
    const { items, tools, ...envelope } = request;
    return digestOf({ ...envelope, items: { count: items.length, chain: entriesChain(items) }, tools: listDigest(tools) });
  }
  const { items, instructions, ...envelope } = request;
  return digestOf({ ...envelope, items: { count: items.length, chain: entriesChain(items) }, instructions: { count: instructions.length, chain: entriesChain(instructions) } });
}
