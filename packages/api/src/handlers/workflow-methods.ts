import type { StepOutcome, TaskJson, WorkflowInstance, WorkflowTemplate } from '@lightspeed/ports';
import type { WorkflowService } from '@lightspeed/schedules';
import type { MethodHandlers } from '../rpc/dispatcher.js';

/** The wire form of a template: absent fields as null. */
export function workflowTemplateView(template: WorkflowTemplate) {
  return {
    templateId: template.templateId,
    description: template.description ?? null,
    initial: template.initial,
    maxIterations: template.maxIterations,
    states: Object.fromEntries(
      Object.entries(template.states).map(([name, state]) => [name, { description: state.description ?? null, task: state.task, evidence: state.evidence ?? null, on: state.on as Record<string, string> }]),
    ),
  };
}

export function workflowView(instance: WorkflowInstance) {
  return {
    instanceKey: instance.instanceKey,
    templateId: instance.templateId,
    status: instance.status,
    state: instance.state,
    iteration: instance.iteration,
    maxIterations: instance.template.maxIterations,
    currentTaskId: instance.currentTaskId ?? null,
    input: instance.input,
    steps: instance.steps.map((step) => ({
      state: step.state,
      iteration: step.iteration,
      taskId: step.taskId,
      outcome: step.outcome ?? null,
      evidence: step.evidence ?? null,
      error: step.error ?? null,
      startedAtMs: step.startedAt,
      endedAtMs: step.endedAt ?? null,
    })),
    history: instance.history.map((t) => ({
      atMs: t.at,
      from: t.from,
      to: t.to,
      outcome: t.outcome ?? null,
      taskId: t.taskId ?? null,
      attempt: t.attempt ?? null,
      iteration: t.iteration,
      by: t.by,
      note: t.note ?? null,
      eventId: t.eventId ?? null,
    })),
    reason: instance.reason ?? null,
    version: instance.version,
    createdAtMs: instance.createdAt,
    updatedAtMs: instance.updatedAt,
    finishedAtMs: instance.finishedAt ?? null,
  };
}

/** workflows/* (Lightspeed extension, issue 15). */
export function workflowMethods(workflows: WorkflowService): MethodHandlers {
  return {
    'workflows/templates/list': async () => ({ result: { templates: (await workflows.templates()).map(workflowTemplateView) } }),
    'workflows/create': async ({ templateId, instanceKey, input, agents }, { universe }) => {
      const { instance, created } = await workflows.create(universe, { templateId, instanceKey, input: (input ?? null) as TaskJson, ...(agents ? { agents } : {}) });
      return { result: { workflow: workflowView(instance), created } };
    },
    'workflows/read': async ({ instanceKey }, { universe }) => ({ result: { workflow: workflowView(await workflows.read(universe, instanceKey)) } }),
    'workflows/list': async ({ status, templateId, limit, cursor }, { universe }) => {
      const listed = await workflows.list(universe, { ...(status != null ? { status } : {}), ...(templateId != null ? { templateId } : {}), ...(limit != null ? { limit } : {}), ...(cursor != null ? { cursor } : {}) });
      return { result: { workflows: listed.instances.map(workflowView), nextCursor: listed.nextCursor ?? null } };
    },
    'workflows/advance': async ({ instanceKey, to, outcome, note }, { universe }) => {
      const moved = await workflows.advance(universe, instanceKey, { ...(to != null ? { to } : {}), ...(outcome != null ? { outcome: outcome as StepOutcome } : {}), ...(note != null ? { note } : {}) });
      return { result: { workflow: workflowView(moved) } };
    },
    'workflows/cancel': async ({ instanceKey, reason }, { universe }) => ({ result: { workflow: workflowView(await workflows.cancel(universe, instanceKey, reason ?? undefined)) } }),
  };
}
