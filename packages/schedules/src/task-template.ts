import { LightspeedError, type TaskInput, type TaskJson, type TaskTemplate } from '@lightspeed/ports';

/*
 * Task templates: what a schedule or trigger enqueues. `{{path}}` placeholders in string values
 * read a context object (`event.payload.issue.number`, `fire.iso`); a string that is exactly one
 * placeholder takes the value itself (numbers stay numbers, objects stay objects), one embedded in
 * text is stringified. A path that resolves to nothing renders as null (alone) or '' (in text),
 * so a missing optional field never fails a fire.
 */

const TEMPLATE_FIELDS = new Set<keyof TaskTemplate>(['kind', 'agent', 'payload', 'subject', 'model', 'priority', 'maxAttempts', 'timeoutMs', 'concurrencyKey', 'tags']);
const WHOLE = /^\{\{\s*([A-Za-z0-9_.-]+)\s*\}\}$/;
const EMBEDDED = /\{\{\s*([A-Za-z0-9_.-]+)\s*\}\}/g;
const MAX_DEPTH = 32;

function invalid(field: string, message: string): LightspeedError {
  return new LightspeedError('invalid', `${field}: ${message}`, { field });
}

/** Refuses unknown fields and a template without kind or agent (the rest is checked by enqueue). */
export function checkTaskTemplate(template: TaskTemplate, field = 'task'): TaskTemplate {
  if (template === null || typeof template !== 'object' || Array.isArray(template)) throw invalid(field, 'must be an object with kind and agent');
  for (const key of Object.keys(template)) if (!TEMPLATE_FIELDS.has(key as keyof TaskTemplate)) throw invalid(`${field}.${key}`, `unknown field of a task template (known: ${[...TEMPLATE_FIELDS].join(', ')})`);
  if (typeof template.kind !== 'string' || template.kind.length === 0) throw invalid(`${field}.kind`, 'required (what sort of work the task is)');
  if (typeof template.agent !== 'string' || template.agent.length === 0) throw invalid(`${field}.agent`, 'required (the agent definition that runs the task)');
  return template;
}

/** The value at a dotted path of the context, or undefined. */
export function lookup(context: TaskJson, path: string): TaskJson | undefined {
  let value: TaskJson | undefined = context;
  for (const segment of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = Array.isArray(value) ? value[Number(segment)] : value[segment];
    if (value === undefined) return undefined;
  }
  return value;
}

function renderString(text: string, context: TaskJson): TaskJson {
  const whole = WHOLE.exec(text);
  if (whole) return lookup(context, whole[1]!) ?? null;
  return text.replace(EMBEDDED, (_match, path: string) => {
    const value = lookup(context, path);
    if (value === undefined || value === null) return '';
    return typeof value === 'string' ? value : JSON.stringify(value);
  });
}

/** Renders every string of a JSON value (keys are left alone). */
export function renderJson(value: TaskJson, context: TaskJson, depth = 0): TaskJson {
  if (depth > MAX_DEPTH) throw invalid('task.payload', `nested deeper than ${MAX_DEPTH} levels`);
  if (typeof value === 'string') return renderString(value, context);
  if (Array.isArray(value)) return value.map((item) => renderJson(item, context, depth + 1));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, TaskJson> = {};
    for (const [key, item] of Object.entries(value)) out[key] = renderJson(item, context, depth + 1);
    return out;
  }
  return value;
}

/** The task input of one fire or event: the template rendered, plus where it came from. */
export function renderTask(template: TaskTemplate, context: TaskJson, extra: { source: string; dedupeKey: string; tags: string[] }): TaskInput {
  const subject = template.subject === undefined ? undefined : renderString(template.subject, context);
  const input: TaskInput = {
    kind: template.kind,
    agent: template.agent,
    source: extra.source,
    dedupeKey: extra.dedupeKey,
    tags: [...(template.tags ?? []), ...extra.tags],
  };
  if (template.payload !== undefined) input.payload = renderJson(template.payload, context);
  if (subject !== undefined && subject !== null && subject !== '') input.subject = typeof subject === 'string' ? subject.slice(0, 256) : JSON.stringify(subject).slice(0, 256);
  if (template.model) input.model = template.model;
  if (template.priority !== undefined) input.priority = template.priority;
  if (template.maxAttempts !== undefined) input.maxAttempts = template.maxAttempts;
  if (template.timeoutMs !== undefined) input.timeoutMs = template.timeoutMs;
  if (template.concurrencyKey !== undefined) {
    const key = renderString(template.concurrencyKey, context);
    if (typeof key === 'string' && key !== '') input.concurrencyKey = key;
  }
  return input;
}
