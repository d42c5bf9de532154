import { LightspeedError, type Task, type TaskJson } from '@lightspeed/ports';

/*
 * The task template: how an agent definition turns a task's payload into the run's input
 * (docs/0019-task-queue.md, "Task templates"). A template is text with `{{ path }}` placeholders:
 *
 *   task.id, task.kind, task.source, task.subject, task.attempt, task.tags
 *   payload                 the whole payload
 *   payload.a.b, payload.items.0   a member / an element of it
 *
 * A string value is inserted as is; anything else as JSON (2-space indented). A placeholder whose
 * value is absent is an error naming it (the task is blocked: the agent cannot be given its input),
 * never silently empty. `{{{{` writes a literal `{{`. Rendering is pure, so a re-claimed attempt
 * renders the same input again and its run submission is recognised as the same one.
 */

const PLACEHOLDER = /\{\{\{\{|\{\{\s*([A-Za-z0-9_.-]+)\s*\}\}/g;
export const MAX_TEMPLATE_CHARS = 64 * 1024;
/** Largest rendered input (characters); a larger one is refused, like an oversized payload. */
export const MAX_RENDERED_CHARS = 2 * 1024 * 1024;

export interface TemplateContext {
  task: Pick<Task, 'id' | 'kind' | 'source' | 'subject' | 'tags'>;
  attempt: number;
  payload: TaskJson;
}

/** The template used when the agent definition gives none: what the task is, then its payload. */
export const DEFAULT_TASK_TEMPLATE = 'Task {{task.kind}}{{task.subjectLine}}\n\nPayload:\n```json\n{{payload}}\n```\n';

function member(value: TaskJson | undefined, key: string): TaskJson | undefined {
  if (value === null || value === undefined || typeof value !== 'object') return undefined;
  if (Array.isArray(value)) return /^\d+$/.test(key) ? value[Number(key)] : undefined;
  return Object.prototype.hasOwnProperty.call(value, key) ? value[key] : undefined;
}

function lookup(path: string, context: TemplateContext): TaskJson | undefined {
  const [root, ...rest] = path.split('.');
  if (root === 'payload') return rest.reduce<TaskJson | undefined>((value, key) => member(value, key), context.payload);
  if (root !== 'task' || rest.length !== 1) return undefined;
  const { task } = context;
  switch (rest[0]) {
    case 'id':
      return task.id;
    case 'kind':
      return task.kind;
    case 'source':
      return task.source;
    case 'subject':
      return task.subject;
    case 'subjectLine':
      // Only for the default template: ": <subject>" or nothing.
      return task.subject ? `: ${task.subject}` : '';
    case 'attempt':
      return context.attempt;
    case 'tags':
      return task.tags;
    default:
      return undefined;
  }
}

/** Checks a template's syntax when an agent definition is stored (placeholders name known roots). */
export function checkTaskTemplate(template: string): void {
  if (template.length > MAX_TEMPLATE_CHARS) throw new LightspeedError('invalid', `the task template is longer than ${MAX_TEMPLATE_CHARS} characters`, { field: 'task.template' });
  for (const match of template.matchAll(PLACEHOLDER)) {
    const path = match[1];
    if (path !== undefined && !/^(payload(\.[A-Za-z0-9_-]+)*|task\.(id|kind|source|subject|attempt|tags))$/.test(path)) {
      throw new LightspeedError('invalid', `the task template has an unknown placeholder {{${path}}}: use payload, payload.<member>… or task.id|kind|source|subject|attempt|tags`, { field: 'task.template' });
    }
  }
}

/** The run's input text for one attempt; a placeholder without a value is an `invalid` error naming it. */
export function renderTaskTemplate(template: string | undefined, context: TemplateContext): string {
  const rendered = renderPlaceholders(template ?? DEFAULT_TASK_TEMPLATE, context);
  if (rendered.trim().length === 0) throw new LightspeedError('invalid', `the task template rendered an empty input for task ${context.task.id}`, { taskId: context.task.id });
  return rendered;
}

/**
 * Fills a template's placeholders (a script executor's argument, say, where an empty result is a
 * legitimate value); a placeholder without a value is an `invalid` error naming it.
 */
export function renderPlaceholders(source: string, context: TemplateContext): string {
  const rendered = source.replace(PLACEHOLDER, (whole, path: string | undefined) => {
    if (path === undefined) return '{{';
    const value = lookup(path, context);
    if (value === undefined) throw new LightspeedError('invalid', `the task template's {{${path}}} has no value for task ${context.task.id}`, { field: path, taskId: context.task.id });
    return typeof value === 'string' ? value : JSON.stringify(value, null, 2);
  });
  if (rendered.length > MAX_RENDERED_CHARS) throw new LightspeedError('too_large', `the rendered input of task ${context.task.id} is larger than ${MAX_RENDERED_CHARS} characters`, { taskId: context.task.id });
  return rendered;
}
