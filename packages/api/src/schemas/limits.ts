import { DEFAULT_SNAPSHOT_LIMITS } from '@lightspeed/vfs';
import { z } from 'zod';

/*
 * The most items any array in a method's params may hold. Without a cap, one call can ask for
 * unbounded work (a 100,000-ref blobs/has took 23 s and stalled every other caller), and the body
 * limit alone does not help: 8 MiB of JSON holds ~110,000 refs. The v1 contract states no
 * maxItems; each cap sits far above what a client sends in normal use and is documented in
 * docs/0010-api-gateway.md and the generated schema (`maxItems`). Over-limit params are answered
 * with JSON-RPC -32602 (`invalid_request`) naming the field and the limit.
 */

/** Refs per `blobs/has` call. The CLI checks 500 at a time. */
export const MAX_BLOB_HAS_REFS = 1000;
/** Blobs per `blobs/put` call (their bytes are bounded by the body limit anyway). */
export const MAX_BLOB_PUT_ITEMS = 1000;
/** Entries per `session/context/append` call. */
export const MAX_CONTEXT_APPEND_ENTRIES = 1000;
/** Keys per `session/context/remove` call, and per context-sourced `session/runs/start`. */
export const MAX_CONTEXT_KEYS = 1000;
/** Input items per `session/runs/start` or `session/runs/steer`. */
export const MAX_INPUT_ITEMS = 1000;
/** Files in one `vfs/snapshots/commit` manifest: the VFS's own per-snapshot file limit. */
export const MAX_MANIFEST_FILES = DEFAULT_SNAPSHOT_LIMITS.maxFiles;
/** Names in one list of a session config (providers, profiles, allowed tools, roots, domains, …). */
export const MAX_CONFIG_LIST_ITEMS = 256;
/** MCP servers linked by one session config. */
export const MAX_MCP_SERVERS = 64;
/** Workspace links of one session config. */
export const MAX_WORKSPACE_LINKS = 64;

/** `z.array(item)` capped at `max`; the message gives the limit (the error path names the field). */
export function cappedArray<T extends z.ZodType>(item: T, max: number, hint = '') {
  return z.array(item).max(max, `at most ${max} items are allowed${hint}`);
}

/** For the per-call lists: a larger job is several calls. */
export const SPLIT = '; split the work into several calls';
