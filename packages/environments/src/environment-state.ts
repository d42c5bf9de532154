import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BlobRef } from '@lightspeed/engine';
import { LightspeedError } from '@lightspeed/ports';
import { writeDurably } from '@lightspeed/tools';
import { z } from 'zod';

/*
 * The durable state of one environment: `<root>/<id>/state.json`, written through temp file,
 * fsync, rename and a directory fsync. The pre-command snapshot is recorded here before a command
 * runs, so after a crash the work directory can be put back exactly as the command found it.
 */

const ref = z.custom<BlobRef>((value) => typeof value === 'string' && /^sha256:[0-9a-f]{64}$/.test(value), 'a sha256: blob ref');
const ENVIRONMENT_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export const environmentSpecSchema = z
  .object({
    id: z.string().regex(ENVIRONMENT_ID, 'letters, digits, `.`, `_` and `-`, starting with a letter or digit, at most 128'),
    /** The VFS workspace materialised into the environment and updated with the changes. */
    workspaceId: z.string().min(1).max(256),
    /** The session the environment was prepared for (provenance; the session's workspace by default). */
    sessionId: z.string().min(1).max(256).optional(),
    displayName: z.string().max(200).optional(),
    /** Network access for commands (default false: `--unshare-net` under bubblewrap). */
    network: z.boolean().default(false),
    /** `auto` (default): bubblewrap when it works here, else not isolated; `bubblewrap`: refuse without it; `none`: never. */
    isolation: z.enum(['auto', 'bubblewrap', 'none']).default('auto'),
    /** Server environment variables passed to commands by name (values are read at each command). */
    envAllow: z.array(z.string().regex(ENV_NAME)).max(100).default([]),
    /** Credential variables: passed like `envAllow`, and their values are redacted from every stored output. */
    credentials: z.array(z.string().regex(ENV_NAME)).max(100).default([]),
  })
  .strict();

export type EnvironmentSpecInput = z.input<typeof environmentSpecSchema>;
export type EnvironmentSpec = z.output<typeof environmentSpecSchema>;

const runningSchema = z.object({
  commandId: z.string(),
  preRef: ref,
  preRevision: z.number().int().positive(),
  startedAt: z.number(),
  /** Set once the changes were collected: the command's result and its snapshot, committed next. */
  resultRef: ref.optional(),
  postRef: ref.optional(),
});

const stateSchema = z.object({
  version: z.literal(1),
  spec: environmentSpecSchema,
  createdAt: z.number(),
  updatedAt: z.number(),
  closed: z.boolean(),
  /** The snapshot the work directory holds exactly; absent when it may differ (a command not collected, a conflict). */
  syncedRef: ref.optional(),
  running: runningSchema.optional(),
  /** Results of finished commands by command id (the most recent ones), so a re-run with the same id is answered, not repeated. */
  completed: z.array(z.object({ commandId: z.string(), resultRef: ref })).default([]),
});

export type RunningCommandState = z.infer<typeof runningSchema>;
export type EnvironmentState = z.infer<typeof stateSchema>;

export const MAX_COMPLETED_KEPT = 50;
const STATE_FILE = 'state.json';

export function parseEnvironmentSpec(input: unknown): EnvironmentSpec {
  const parsed = environmentSpecSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const field = issue.path.join('.') || 'spec';
  throw new LightspeedError('invalid', `environment ${field}: ${issue.message}`, { field });
}

export async function readEnvironmentState(dir: string): Promise<EnvironmentState | undefined> {
  let text: string;
  try {
    text = await readFile(join(dir, STATE_FILE), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const parsed = stateSchema.safeParse(JSON.parse(text));
  if (!parsed.success) throw new LightspeedError('corrupt', `the state of the environment in ${dir} is unreadable: ${parsed.error.issues[0]?.message ?? 'invalid'}`, { dir });
  return parsed.data;
}

export async function writeEnvironmentState(dir: string, state: EnvironmentState): Promise<void> {
  await writeDurably(dir, STATE_FILE, `${JSON.stringify(state)}\n`);
}

export function isEnvironmentId(id: string): boolean {
  return ENVIRONMENT_ID.test(id);
}
