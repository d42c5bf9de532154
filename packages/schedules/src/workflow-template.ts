import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { LightspeedError, STEP_OUTCOMES, WORKFLOW_FAIL, WORKFLOW_SUCCEED, type TaskTemplate, type WorkflowTemplate } from '@lightspeed/ports';
import { checkTaskTemplate } from './task-template.js';

/*
 * Workflow templates are data: YAML files in `.lightspeed/workflows/` beside the agent files
 * (`.lightspeed/agents/`), plus the built-in goal loop shipped in this package's `templates/`.
 * A template is checked whole when it is loaded — every transition names a state that exists —
 * so a bad file is refused at start, never half-way through an instance.
 */

/** Where a project keeps its workflow templates, relative to the project directory. */
export const WORKFLOWS_DIR = join('.lightspeed', 'workflows');

const ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const STATE = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;
export const MAX_WORKFLOW_ITERATIONS = 100;

const StateSchema = z.strictObject({
  description: z.string().max(1000).optional(),
  task: z.record(z.string(), z.unknown()),
  evidence: z.array(z.string().min(1).max(1024)).max(64).optional(),
  on: z.partialRecord(z.enum(STEP_OUTCOMES as [string, ...string[]]), z.string().min(1).max(64)),
});

const TemplateSchema = z.strictObject({
  templateId: z.string().regex(ID, '1-128 characters of [A-Za-z0-9._-], starting with a letter or digit'),
  description: z.string().max(1000).optional(),
  initial: z.string().regex(STATE),
  maxIterations: z.number().int().min(1).max(MAX_WORKFLOW_ITERATIONS),
  states: z.record(z.string().regex(STATE, 'a state name is a letter then up to 63 of [A-Za-z0-9_-]'), StateSchema),
});

/** Validates a template (from a file or the API): shape, task templates, and that every target exists. */
export function checkWorkflowTemplate(value: unknown, where = 'workflow template'): WorkflowTemplate {
  const parsed = TemplateSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.join('.');
    throw new LightspeedError('invalid', `${where}: ${field ? `${field}: ` : ''}${issue.message}`, { field: field || 'template' });
  }
  const template = parsed.data;
  const names = Object.keys(template.states);
  if (!template.states[template.initial]) throw new LightspeedError('invalid', `${where}: initial: no state ${template.initial} (states: ${names.join(', ')})`, { field: 'initial' });
  const states: WorkflowTemplate['states'] = {};
  for (const [name, state] of Object.entries(template.states)) {
    const task = checkTaskTemplate(state.task as unknown as TaskTemplate, `states.${name}.task`);
    for (const [outcome, target] of Object.entries(state.on)) {
      if (target === undefined) continue;
      if (target !== WORKFLOW_SUCCEED && target !== WORKFLOW_FAIL && !template.states[target]) {
        throw new LightspeedError('invalid', `${where}: states.${name}.on.${outcome}: no state ${target} (states: ${names.join(', ')}, or ${WORKFLOW_SUCCEED} / ${WORKFLOW_FAIL})`, { field: `states.${name}.on.${outcome}` });
      }
    }
    states[name] = { task, on: state.on, ...(state.evidence ? { evidence: state.evidence } : {}), ...(state.description ? { description: state.description } : {}) };
  }
  return { templateId: template.templateId, initial: template.initial, maxIterations: template.maxIterations, states, ...(template.description ? { description: template.description } : {}) };
}

export async function loadWorkflowFile(file: string): Promise<WorkflowTemplate> {
  let value: unknown;
  try {
    value = parseYaml(await readFile(file, 'utf8'));
  } catch (error) {
    throw new LightspeedError('invalid', `${file}: ${(error as Error).message}`, { file });
  }
  return checkWorkflowTemplate(value, file);
}

/** The `*.yaml` / `*.yml` templates of a folder, sorted by file name; none when it does not exist. */
export async function loadWorkflowDir(dir: string): Promise<WorkflowTemplate[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const templates: WorkflowTemplate[] = [];
  for (const name of names.filter((n) => /\.ya?ml$/i.test(n)).sort()) templates.push(await loadWorkflowFile(join(dir, name)));
  return templates;
}

/** The templates shipped with Lightspeed (today: `goal-loop`). */
export function builtinWorkflowDir(): string {
  return fileURLToPath(new URL('../templates/', import.meta.url));
}

/**
 * The built-in templates, then the project's (`<projectDir>/.lightspeed/workflows`): a project
 * file with a built-in's id replaces it.
 */
export async function loadWorkflowTemplates(projectDir?: string): Promise<WorkflowTemplate[]> {
  const byId = new Map<string, WorkflowTemplate>();
  for (const template of await loadWorkflowDir(builtinWorkflowDir())) byId.set(template.templateId, template);
  if (projectDir) for (const template of await loadWorkflowDir(join(projectDir, WORKFLOWS_DIR))) byId.set(template.templateId, template);
  return [...byId.values()].sort((a, b) => a.templateId.localeCompare(b.templateId));
}
