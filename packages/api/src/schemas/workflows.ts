import { z } from 'zod';
import { epochMs, named, uint } from './registry.js';
import { TaskTemplateInput } from './schedules.js';

/*
 * Lightspeed extension (issue 15): goal-loop workflows (`workflows/*`). Not in the v1 contract.
 * Templates are YAML files beside the agent definitions; semantics in docs/0023-workflows.md.
 */

const key = () => z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$/, '1-100 characters of [A-Za-z0-9._:-], starting with a letter or digit');
const templateId = () => z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, '1-128 characters of [A-Za-z0-9._-], starting with a letter or digit');

export const StepOutcome = named('StepOutcome', z.enum(['succeeded', 'failed', 'blocked', 'cancelled']));
export const WorkflowStatus = named('WorkflowStatus', z.enum(['running', 'succeeded', 'failed', 'cancelled']));

export const WorkflowTemplateView = named(
  'WorkflowTemplateView',
  z.object({
    templateId: z.string(),
    description: z.string().nullish(),
    initial: z.string(),
    maxIterations: uint(),
    states: z.record(
      z.string(),
      z.object({
        description: z.string().nullish(),
        task: TaskTemplateInput,
        evidence: z.array(z.string()).nullish(),
        on: z.record(z.string(), z.string()).describe('Step outcome → next state, or @succeeded / @failed.'),
      }),
    ),
  }),
);

export const WorkflowStepView = named(
  'WorkflowStepView',
  z.object({
    state: z.string(),
    iteration: uint(),
    taskId: z.string(),
    outcome: StepOutcome.nullish(),
    evidence: z.array(z.string()).nullish(),
    error: z.string().nullish(),
    startedAtMs: epochMs(),
    endedAtMs: epochMs().nullish(),
  }),
);

export const WorkflowTransitionView = named(
  'WorkflowTransitionView',
  z.object({
    atMs: epochMs(),
    from: z.string().nullish(),
    to: z.string(),
    outcome: StepOutcome.nullish(),
    taskId: z.string().nullish(),
    attempt: uint().nullish(),
    iteration: uint(),
    by: z.enum(['create', 'task', 'operator', 'trigger']),
    note: z.string().nullish(),
    eventId: z.string().nullish().describe('For by: trigger, the sensor event that caused the move.'),
  }),
);

export const WorkflowView = named(
  'WorkflowView',
  z.object({
    instanceKey: z.string(),
    templateId: z.string(),
    status: WorkflowStatus,
    state: z.string(),
    iteration: uint(),
    maxIterations: uint(),
    currentTaskId: z.string().nullish(),
    input: z.unknown(),
    steps: z.array(WorkflowStepView),
    history: z.array(WorkflowTransitionView),
    reason: z.string().nullish(),
    version: uint(),
    createdAtMs: epochMs(),
    updatedAtMs: epochMs(),
    finishedAtMs: epochMs().nullish(),
  }),
);

export const WorkflowTemplatesListParams = named('WorkflowTemplatesListParams', z.strictObject({}));
export const WorkflowTemplatesListResponse = named('WorkflowTemplatesListResponse', z.object({ templates: z.array(WorkflowTemplateView) }));

export const WorkflowCreateParams = named(
  'WorkflowCreateParams',
  z.strictObject({
    templateId: templateId(),
    instanceKey: key().describe('Creating the same key again answers the existing instance (created: false).'),
    input: z.unknown().optional().describe('Any JSON; step templates read it as {{input.*}}.'),
    agents: z.record(z.string().min(1).max(64), z.string().min(1).max(256)).nullish().describe("Per state, an agent to run instead of the template's."),
  }),
);
export const WorkflowCreateResponse = named('WorkflowCreateResponse', z.object({ workflow: WorkflowView, created: z.boolean() }));
export const WorkflowKeyParams = named('WorkflowKeyParams', z.strictObject({ instanceKey: key() }));
export const WorkflowResponse = named('WorkflowResponse', z.object({ workflow: WorkflowView }));
export const WorkflowListParams = named(
  'WorkflowListParams',
  z.strictObject({ status: WorkflowStatus.nullish(), templateId: templateId().nullish(), limit: z.number().int().min(1).max(1000).nullish(), cursor: z.string().max(512).nullish() }),
);
export const WorkflowListResponse = named('WorkflowListResponse', z.object({ workflows: z.array(WorkflowView), nextCursor: z.string().nullish() }));
export const WorkflowAdvanceParams = named(
  'WorkflowAdvanceParams',
  z.strictObject({
    instanceKey: key(),
    to: z.string().min(1).max(64).nullish().describe('A state (the current one retries its step), @succeeded (complete) or @failed.'),
    outcome: StepOutcome.nullish().describe("The current step's outcome (default: its task's, or cancelled while it runs); without `to`, the template's transition for it is taken."),
    note: z.string().max(1000).nullish(),
  }),
);
export const WorkflowCancelParams = named('WorkflowCancelParams', z.strictObject({ instanceKey: key(), reason: z.string().max(1000).nullish() }));
