import { z } from 'zod';
import { named } from './registry.js';

/*
 * Lightspeed extension of the agent profile: what the agent says about the tasks it runs
 * (`AgentTaskSpec` in ports; docs/agents.md, "Tasks"). The API checks payloads against `schema`
 * at tasks/create; the dispatcher renders `template` into the run's input and checks
 * `requiredArtifacts` before it counts a run as a success.
 */

export const MAX_TASK_TEMPLATE_CHARS = 100_000;
export const MAX_REQUIRED_ARTIFACTS = 64;

export const AgentTaskConfig = named(
  'AgentTaskConfig',
  z.strictObject({
    schema: z
      .record(z.string(), z.unknown())
      .optional()
      .describe('JSON Schema (2020-12; draft-07 when $schema says so) every task payload for this agent must satisfy; tasks/create refuses others.'),
    template: z
      .string()
      .min(1)
      .max(MAX_TASK_TEMPLATE_CHARS)
      .optional()
      .describe('The run input the dispatcher renders: {{payload}}, {{payload.FIELD.FIELD}}, {{task.id}}, {{task.kind}}, {{task.subject}}, {{task.source}}.'),
    requiredArtifacts: z
      .array(z.string().regex(/^\/[^\0]{0,1023}$/, 'expected an absolute workspace path such as /workspace/summary.md'))
      .max(MAX_REQUIRED_ARTIFACTS)
      .optional()
      .describe('Workspace paths a successful run must have produced; without them the task ends blocked.'),
  }),
  'Lightspeed extension: how the agent runs tasks (payload schema, input template, required artifacts).',
);
export type AgentTaskConfig = z.infer<typeof AgentTaskConfig>;
