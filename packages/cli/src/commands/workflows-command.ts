import type { Command } from 'commander';
import { usageError } from '../cli-error.js';
import { withConnection, withServerOptions, writeJson, type CommandContext } from './command-context.js';
import { parseJsonFlag } from './schedules-command.js';

type Flags = { json?: boolean; apiUrl?: string; apiKey?: string; dataDir?: string; engine?: string };

interface WorkflowView {
  instanceKey: string;
  templateId: string;
  status: string;
  state: string;
  iteration: number;
  maxIterations: number;
  currentTaskId?: string | null;
  reason?: string | null;
  steps: { state: string; iteration: number; taskId: string; outcome?: string | null; error?: string | null }[];
  history: { atMs: number; from?: string | null; to: string; outcome?: string | null; taskId?: string | null; by: string; note?: string | null }[];
}

interface TemplateView {
  templateId: string;
  description?: string | null;
  initial: string;
  maxIterations: number;
  states: Record<string, { task: { agent: string; kind: string }; on: Record<string, string> }>;
}

/** One instance as a line: key, template, status, state and iteration, current task. */
export function workflowLine(view: WorkflowView): string {
  return [view.instanceKey, view.templateId, view.status, `${view.state} #${view.iteration}/${view.maxIterations}`, view.currentTaskId ? `task ${view.currentTaskId}` : '-', view.reason ?? ''].join('\t').trimEnd();
}

async function showWorkflow(ctx: CommandContext, flags: Flags, method: string, params: Record<string, unknown>): Promise<void> {
  await withConnection(flags, ctx, { requireModel: false }, async ({ client }) => {
    const result = await client.call<{ workflow: WorkflowView; created?: boolean }>(method, params);
    if (flags.json) return writeJson(ctx, result);
    ctx.io.stdout.write(`${workflowLine(result.workflow)}\n`);
    if (result.created === false) ctx.io.stderr.write(`workflow ${result.workflow.instanceKey} existed already: this is it, unchanged\n`);
  });
}

/** `--agent plan=my-planner` (repeatable) → `{ plan: 'my-planner' }`. */
export function agentsOf(values: string[], flag = '--agent'): Record<string, string> {
  const agents: Record<string, string> = {};
  for (const value of values) {
    const [state, agent] = value.split('=', 2);
    if (!state || !agent) throw usageError(`${flag} takes state=agent, got "${value}"`, `e.g. ${flag} verify=strict-verifier`);
    agents[state] = agent;
  }
  return agents;
}

/** `lightspeed workflows templates|start|list|show|advance|cancel`: goal-loop workflows. */
export function registerWorkflows(program: Command, ctx: CommandContext): void {
  const workflows = program.command('workflows').description('multi-step goals (plan → execute → verify …) whose every step is a task for an agent');
  withServerOptions(workflows.command('templates').description('list the workflow templates (built-in and .lightspeed/workflows/*.yaml)').option('--json', 'print the JSON-RPC result')).action(async (flags: Flags) => {
    await withConnection(flags, ctx, { requireModel: false }, async ({ client }) => {
      const result = await client.call<{ templates: TemplateView[] }>('workflows/templates/list', {});
      if (flags.json) return writeJson(ctx, result);
      for (const t of result.templates) {
        ctx.io.stdout.write(`${t.templateId}\t${t.description ?? ''}\tstarts at ${t.initial}, at most ${t.maxIterations} iteration(s)\n`);
        for (const [name, state] of Object.entries(t.states)) ctx.io.stdout.write(`  ${name}\t${state.task.agent}\t${Object.entries(state.on).map(([o, to]) => `${o}→${to}`).join(' ')}\n`);
      }
    });
  });
  withServerOptions(
    workflows
      .command('start')
      .alias('create')
      .description('start an instance of a template (idempotent by key: the same key answers the existing one)')
      .argument('<template>')
      .argument('<instanceKey>')
      .option('--input <json>', 'the input the steps read as {{input.*}}, e.g. \'{"goal":"fix the flaky test"}\'')
      .option('--goal <text>', 'shorthand for --input \'{"goal":"<text>"}\'')
      .option('--agent <state=agent>', 'run this agent for a state instead of the template\'s (repeatable)', (value: string, all: string[]) => [...all, value], [] as string[])
      .option('--json', 'print the JSON-RPC result'),
  ).action(async (templateId: string, instanceKey: string, flags: Flags & { input?: string; goal?: string; agent: string[] }) => {
    if (flags.input !== undefined && flags.goal !== undefined) throw usageError('give --input or --goal, not both');
    const input = flags.input !== undefined ? parseJsonFlag('--input', flags.input) : flags.goal !== undefined ? { goal: flags.goal } : undefined;
    const agents = agentsOf(flags.agent);
    await showWorkflow(ctx, flags, 'workflows/create', { templateId, instanceKey, ...(input !== undefined ? { input } : {}), ...(Object.keys(agents).length ? { agents } : {}) });
  });
  withServerOptions(workflows.command('list').description('list workflow instances').option('--status <status>', 'running | succeeded | failed | cancelled').option('--template <id>').option('--json', 'print the JSON-RPC result')).action(
    async (flags: Flags & { status?: string; template?: string }) => {
      await withConnection(flags, ctx, { requireModel: false }, async ({ client }) => {
        const result = await client.call<{ workflows: WorkflowView[] }>('workflows/list', { ...(flags.status ? { status: flags.status } : {}), ...(flags.template ? { templateId: flags.template } : {}) });
        if (flags.json) return writeJson(ctx, result);
        if (result.workflows.length === 0) ctx.io.stderr.write('no workflows; start one with `lightspeed workflows start goal-loop <key> --goal "…"`\n');
        for (const view of result.workflows) ctx.io.stdout.write(`${workflowLine(view)}\n`);
      });
    },
  );
  withServerOptions(workflows.command('show').description('one instance: its steps (each a task) and its transitions').argument('<instanceKey>').option('--json', 'print the JSON-RPC result')).action(async (instanceKey: string, flags: Flags) => {
    await withConnection(flags, ctx, { requireModel: false }, async ({ client }) => {
      const result = await client.call<{ workflow: WorkflowView }>('workflows/read', { instanceKey });
      if (flags.json) return writeJson(ctx, result);
      const view = result.workflow;
      ctx.io.stdout.write(`${workflowLine(view)}\n`);
      for (const step of view.steps) ctx.io.stdout.write(`step\t${step.state} #${step.iteration}\ttask ${step.taskId}\t${step.outcome ?? 'pending'}${step.error ? `: ${step.error}` : ''}\n`);
      for (const t of view.history) ctx.io.stdout.write(`move\t${new Date(t.atMs).toISOString()}\t${t.from ?? '-'} → ${t.to}\t${t.outcome ?? ''}\tby ${t.by}${t.note ? `: ${t.note}` : ''}\n`);
    });
  });
  withServerOptions(
    workflows
      .command('advance')
      .description('operator override: move to a state (the current one retries its step; @succeeded completes), or by an outcome')
      .argument('<instanceKey>')
      .option('--to <state>', 'a state, @succeeded or @failed')
      .option('--outcome <outcome>', 'the current step\'s outcome: succeeded | failed | blocked | cancelled')
      .option('--note <text>')
      .option('--json', 'print the JSON-RPC result'),
  ).action(async (instanceKey: string, flags: Flags & { to?: string; outcome?: string; note?: string }) => {
    if (flags.to === undefined && flags.outcome === undefined) throw usageError('give --to <state> or --outcome <outcome>');
    await showWorkflow(ctx, flags, 'workflows/advance', { instanceKey, ...(flags.to ? { to: flags.to } : {}), ...(flags.outcome ? { outcome: flags.outcome } : {}), ...(flags.note ? { note: flags.note } : {}) });
  });
  withServerOptions(workflows.command('cancel').description('end an instance as cancelled (its running step is cancelled)').argument('<instanceKey>').option('--reason <text>').option('--json', 'print the JSON-RPC result')).action(
    async (instanceKey: string, flags: Flags & { reason?: string }) => {
      await showWorkflow(ctx, flags, 'workflows/cancel', { instanceKey, ...(flags.reason ? { reason: flags.reason } : {}) });
    },
  );
}
