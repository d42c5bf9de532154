import { LightspeedError } from '@lightspeed/ports';
import { z } from 'zod';
import { checkTaskTemplate } from './task-template.js';

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const exitCodes = z.array(z.number().int().min(1).max(255)).max(255);

/**
 * A script executor: the `task.executor` of an agent definition that runs a command instead of an
 * agent (docs/tasks.md, "Script tasks"). Every attempt runs `argv` (each element a task template,
 * rendered from the payload) in the task's environment over `workspaceId`, and the exit code
 * becomes the outcome: 0 succeeds, a `blocked` code blocks, a `fatal` code fails without retry,
 * any other fails and retries while attempts remain.
 */
export const ScriptExecutorConfig = z.strictObject({
  type: z.literal('script'),
  argv: z.array(z.string().max(64 * 1024)).min(1).max(256).describe('The program and its arguments, each a task template ({{payload.x}}, {{task.id}}…); no shell.'),
  env: z.record(z.string().regex(ENV_NAME), z.string().max(64 * 1024)).optional().describe('Variables with template values.'),
  envAllow: z.array(z.string().regex(ENV_NAME)).max(100).optional().describe('Server variables passed by name.'),
  credentials: z.array(z.string().regex(ENV_NAME)).max(100).optional().describe('Server variables passed by name whose values are redacted from the stored stdout, stderr and diff.'),
  workspaceId: z.string().min(1).max(256).optional().describe('The workspace materialised for the command (a template); absent: an empty workspace of the task, `task.<taskId>`.'),
  network: z.boolean().optional().describe('Allow network access (default false).'),
  isolation: z.enum(['auto', 'bubblewrap', 'none']).optional().describe('auto (default): bubblewrap when it works here; bubblewrap: required; none: never.'),
  timeoutMs: z.number().int().min(1).max(60 * 60_000).optional().describe('Per attempt (default 60 s); the task timeoutMs, when smaller, wins.'),
  maxOutputBytes: z.number().int().min(2).max(16 * 1024 * 1024).optional().describe('Bytes kept per stream (default 1 MiB).'),
  exitCodes: z.strictObject({ blocked: exitCodes.optional(), fatal: exitCodes.optional() }).optional().describe('Exit codes that block the task, or fail it without retry; other non-zero codes retry.'),
});
export type ScriptExecutorConfig = z.infer<typeof ScriptExecutorConfig>;

/** Parses and checks a script executor (templates, disjoint exit codes); `invalid` names the field under `prefix`. */
export function parseScriptExecutor(input: unknown, prefix = 'task.executor'): ScriptExecutorConfig {
  const parsed = ScriptExecutorConfig.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = [prefix, ...issue.path.map(String)].join('.');
    throw new LightspeedError('invalid', `${field}: ${issue.message}`, { field });
  }
  const config = parsed.data;
  for (const template of [...config.argv, ...Object.values(config.env ?? {}), ...(config.workspaceId ? [config.workspaceId] : [])]) checkTaskTemplate(template);
  const blocked = new Set(config.exitCodes?.blocked ?? []);
  const both = (config.exitCodes?.fatal ?? []).find((code) => blocked.has(code));
  if (both !== undefined) throw new LightspeedError('invalid', `${prefix}.exitCodes: ${both} is listed as both blocked and fatal`, { field: `${prefix}.exitCodes` });
  return config;
}

/** What an exit code means for the attempt. */
export function scriptOutcome(config: ScriptExecutorConfig, exitCode: number | null): 'succeeded' | 'blocked' | 'fatal' | 'retry' {
  if (exitCode === 0) return 'succeeded';
  if (exitCode !== null && config.exitCodes?.blocked?.includes(exitCode)) return 'blocked';
  if (exitCode !== null && config.exitCodes?.fatal?.includes(exitCode)) return 'fatal';
  return 'retry';
}
