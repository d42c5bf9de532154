import { LightspeedError, type TaskJson, type TriggerFiring, type TriggerWorkflow } from '@lightspeed/ports';
import { renderJson } from './task-template.js';
import type { WorkflowService } from './workflow-service.js';

/*
 * A trigger's workflow part, fired for one event: the instance key is rendered from the event,
 * the instance created (idempotent by key) or, when it exists and the trigger says so, advanced.
 * Both moves carry the event id, so a repaired dispatch (the first died before recording its
 * firings) finds its own move and does not make a second one.
 */

export type WorkflowFiring = NonNullable<TriggerFiring['workflow']>;

/** The instance key of one event: the template rendered, a number taken as its digits. */
function renderKey(template: string, context: TaskJson): string {
  const key = renderJson(template, context);
  if (typeof key === 'number') return String(key);
  if (typeof key !== 'string' || key === '') throw new LightspeedError('invalid', `workflow.instanceKey: ${template} rendered to ${JSON.stringify(key)}; it must name an instance for every matching event`, { field: 'workflow.instanceKey' });
  return key;
}

export async function fireWorkflow(workflows: WorkflowService, universe: string, spec: TriggerWorkflow, context: TaskJson, eventId: string): Promise<WorkflowFiring> {
  const instanceKey = renderKey(spec.instanceKey, context);
  const { instance, created } = await workflows.create(
    universe,
    { templateId: spec.templateId, instanceKey, ...(spec.input !== undefined ? { input: renderJson(spec.input, context) } : {}), ...(spec.agents ? { agents: spec.agents } : {}) },
    'trigger',
    eventId,
  );
  if (created || instance.history[0]?.eventId === eventId) return { instanceKey, outcome: 'created' };
  if (!spec.advance) return { instanceKey, outcome: 'existing' };
  await workflows.advance(universe, instanceKey, spec.advance, 'trigger', eventId);
  return { instanceKey, outcome: 'advanced' };
}
