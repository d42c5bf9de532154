import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { usageError } from '../cli-error.js';
import { withConnection, withServerOptions, writeJson, type CommandContext } from './command-context.js';
import { parseJsonFlag } from './schedules-command.js';
import { agentsOf } from './workflows-command.js';

type Flags = { json?: boolean; apiUrl?: string; apiKey?: string; dataDir?: string; engine?: string };

interface EventView {
  eventId: string;
  source: string;
  type: string;
  dedupeKey: string;
  receivedAtMs: number;
  firings: { triggerId: string; taskId?: string | null; workflow?: { instanceKey: string; outcome: string } | null; error?: string | null }[];
}

interface TriggerView {
  triggerId: string;
  enabled: boolean;
  match: { source: string; type?: string | null; filter?: Record<string, unknown> | null };
  task?: { kind: string; agent: string } | null;
  workflow?: { templateId: string; instanceKey: string } | null;
  webhook?: { scheme: string } | null;
  hookPath?: string | null;
  revision: number;
}

function eventLine(event: EventView, deduped?: boolean): string {
  const did = (f: EventView['firings'][number]) => [f.taskId, f.workflow ? `workflow ${f.workflow.instanceKey} ${f.workflow.outcome}` : undefined, f.error ? `error: ${f.error}` : undefined].filter(Boolean).join(' ') || '?';
  const tasks = event.firings.map((f) => `${f.triggerId}→${did(f)}`).join(', ') || 'no trigger';
  return [event.eventId, new Date(event.receivedAtMs).toISOString(), `${event.source}/${event.type}`, event.dedupeKey, deduped ? 'deduped' : tasks].join('\t');
}

function triggerLine(trigger: TriggerView): string {
  const match = `${trigger.match.source}${trigger.match.type ? `/${trigger.match.type}` : ''}${trigger.match.filter ? ` ${JSON.stringify(trigger.match.filter)}` : ''}`;
  const does = [trigger.task ? `${trigger.task.kind} for ${trigger.task.agent}` : undefined, trigger.workflow ? `workflow ${trigger.workflow.templateId} ${trigger.workflow.instanceKey}` : undefined].filter(Boolean).join(' + ');
  return [trigger.triggerId, trigger.enabled ? 'enabled' : 'disabled', match, does, trigger.hookPath ? `POST ${trigger.hookPath} (${trigger.webhook?.scheme})` : ''].join('\t').trimEnd();
}

/** `path=value` filters; the value is JSON when it parses (numbers, booleans, arrays), else a string. */
function filterOf(pairs: readonly string[]): Record<string, unknown> | undefined {
  if (pairs.length === 0) return undefined;
  const filter: Record<string, unknown> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0) throw usageError(`--filter must be path=value, got "${pair}"`);
    const text = pair.slice(at + 1);
    let value: unknown = text;
    try {
      value = JSON.parse(text) as unknown;
    } catch {
      // a plain string
    }
    filter[pair.slice(0, at)] = value;
  }
  return filter;
}

/** `lightspeed events ingest|list|show`: sensor events, recorded once per dedupe key. */
export function registerEvents(program: Command, ctx: CommandContext): void {
  const events = program.command('events').description('sensor events: recorded once per dedupe key; matching triggers create tasks');
  withServerOptions(
    events
      .command('ingest')
      .description('record an event (a repeat with the same dedupe key answers "deduped" and creates nothing)')
      .requiredOption('--source <source>', 'who says so (e.g. ci, monitor)')
      .requiredOption('--type <type>', 'what happened (e.g. build.failed)')
      .option('--id <externalId>', "the sender's id for it (the default dedupe key is source:id)")
      .option('--dedupe-key <key>', 'repeats with this key are the same event')
      .option('--subject <text>')
      .option('--payload <json>', 'the event payload (JSON)')
      .option('--payload-file <file>', 'read the payload from a JSON file')
      .option('--json', 'print the JSON-RPC result'),
  ).action(async (flags: Flags & Record<string, string | undefined>) => {
    if (flags.payload !== undefined && flags.payloadFile !== undefined) throw usageError('give --payload or --payload-file, not both');
    if (flags.id === undefined && flags.dedupeKey === undefined) throw usageError('an event needs --id or --dedupe-key (repeats are recognised by it)');
    const payload = flags.payloadFile !== undefined ? parseJsonFlag('--payload-file', await readFile(flags.payloadFile, 'utf8')) : flags.payload !== undefined ? parseJsonFlag('--payload', flags.payload) : {};
    const params = { source: flags.source, type: flags.type, payload, ...(flags.id ? { externalId: flags.id } : {}), ...(flags.dedupeKey ? { dedupeKey: flags.dedupeKey } : {}), ...(flags.subject ? { subject: flags.subject } : {}) };
    await withConnection(flags, ctx, { requireModel: false }, async ({ client }) => {
      const result = await client.call<{ event: EventView; deduped: boolean }>('events/ingest', params);
      if (flags.json) return writeJson(ctx, result);
      ctx.io.stdout.write(`${eventLine(result.event, result.deduped)}\n`);
    });
  });
  withServerOptions(
    events.command('list').description('recent events, newest first, with the tasks their triggers created').option('--source <source>').option('--type <type>').option('--limit <n>', 'at most this many', '50').option('--json', 'print the JSON-RPC result'),
  ).action(async (flags: Flags & { source?: string; type?: string; limit: string }) => {
    const limit = Number(flags.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw usageError(`--limit must be a whole number from 1 to 1000, got "${flags.limit}"`);
    await withConnection(flags, ctx, { requireModel: false }, async ({ client }) => {
      const result = await client.call<{ events: EventView[] }>('events/list', { limit, ...(flags.source ? { source: flags.source } : {}), ...(flags.type ? { type: flags.type } : {}) });
      if (flags.json) return writeJson(ctx, result);
      if (result.events.length === 0) ctx.io.stderr.write('no events\n');
      for (const event of result.events) ctx.io.stdout.write(`${eventLine(event)}\n`);
    });
  });
  withServerOptions(events.command('show').description('one event with its payload').argument('<eventId>').option('--json', 'print the JSON-RPC result')).action(async (eventId: string, flags: Flags) => {
    await withConnection(flags, ctx, { requireModel: false }, async ({ client }) => {
      const result = await client.call<{ event: EventView & { payload: unknown } }>('events/read', { eventId });
      if (flags.json) return writeJson(ctx, result);
      ctx.io.stdout.write(`${eventLine(result.event)}\n${JSON.stringify(result.event.payload, null, 2)}\n`);
    });
  });
}

type TriggerFlags = {
  source?: string;
  type?: string;
  filter: string[];
  agent?: string;
  kind?: string;
  payload?: string;
  subject?: string;
  workflow?: string;
  instanceKey?: string;
  workflowInput?: string;
  workflowAgent: string[];
  advance?: boolean;
  advanceTo?: string;
  advanceOutcome?: string;
  advanceNote?: string;
  webhook?: string;
  secretEnv?: string;
  disabled?: boolean;
};

function taskOf(flags: TriggerFlags): Record<string, unknown> | undefined {
  if (flags.agent === undefined && flags.kind === undefined) {
    if (flags.payload !== undefined || flags.subject !== undefined) throw usageError('--payload and --subject shape the task: give --agent and --kind too');
    return undefined;
  }
  if (flags.agent === undefined || flags.kind === undefined) throw usageError('a trigger task needs both --agent and --kind');
  return { kind: flags.kind, agent: flags.agent, ...(flags.payload !== undefined ? { payload: parseJsonFlag('--payload', flags.payload) } : {}), ...(flags.subject ? { subject: flags.subject } : {}) };
}

function workflowOf(flags: TriggerFlags): Record<string, unknown> | undefined {
  const advance = { ...(flags.advanceTo ? { to: flags.advanceTo } : {}), ...(flags.advanceOutcome ? { outcome: flags.advanceOutcome } : {}), ...(flags.advanceNote ? { note: flags.advanceNote } : {}) };
  const advancing = flags.advance === true || Object.keys(advance).length > 0;
  if (flags.workflow === undefined) {
    if (flags.instanceKey !== undefined || flags.workflowInput !== undefined || flags.workflowAgent.length > 0 || advancing) throw usageError('--instance-key, --workflow-input, --workflow-agent and --advance* apply to a --workflow trigger');
    return undefined;
  }
  if (flags.instanceKey === undefined) throw usageError('--workflow needs --instance-key', 'e.g. --instance-key issue-{{event.payload.issue.id}}');
  return {
    templateId: flags.workflow,
    instanceKey: flags.instanceKey,
    ...(flags.workflowInput !== undefined ? { input: parseJsonFlag('--workflow-input', flags.workflowInput) } : {}),
    ...(flags.workflowAgent.length > 0 ? { agents: agentsOf(flags.workflowAgent, '--workflow-agent') } : {}),
    ...(advancing ? { advance } : {}),
  };
}

/** `lightspeed triggers put|list|show|delete`: rules from events (and signed webhooks) to tasks. */
export function registerTriggers(program: Command, ctx: CommandContext): void {
  const triggers = program.command('triggers').description('rules that turn sensor events (and signed webhooks at POST /hooks/<id>) into tasks');
  withServerOptions(
    triggers
      .command('put')
      .alias('add')
      .description('create or replace a trigger')
      .argument('<triggerId>')
      .option('--source <source>', 'events of this source (a --webhook trigger defaults to its own, hook:<triggerId>)')
      .option('--type <type>', 'only events of this type')
      .option('--filter <path=value...>', 'payload field filters (dotted path; a JSON array value means any of)', [])
      .option('--agent <agent>', 'the agent definition that runs each task (with --kind; a trigger has a task, a --workflow, or both)')
      .option('--kind <kind>', 'the task kind')
      .option('--payload <json>', 'task payload template (JSON; strings may use {{event.payload.*}}, {{event.type}})')
      .option('--subject <text>', 'task subject template')
      .option('--workflow <templateId>', 'start a workflow instance of this template for each matching event (with --instance-key)')
      .option('--instance-key <template>', 'the instance key per event, e.g. issue-{{event.payload.issue.id}} (creating is idempotent by key)')
      .option('--workflow-input <json>', 'the instance input template (JSON; strings may use {{event.*}})')
      .option('--workflow-agent <state=agent>', "run this agent for a state instead of the template's (repeatable)", (value: string, all: string[]) => [...all, value], [] as string[])
      .option('--advance', 'when the instance exists already, advance it (by its current step\'s outcome unless --advance-to / --advance-outcome)')
      .option('--advance-to <state>', 'advance an existing instance to this state (or @succeeded / @failed)')
      .option('--advance-outcome <outcome>', "advance an existing instance by this outcome of its current step (succeeded, failed, blocked, cancelled)")
      .option('--advance-note <text>', 'a note on the advance')
      .option('--webhook <scheme>', 'accept signed deliveries at POST /hooks/<hookId>: hmac-sha256 | standard-webhooks')
      .option('--secret-env <name>', 'take the webhook secret from this environment variable (default: the server generates one and prints it once)')
      .option('--disabled', 'store it disabled')
      .option('--json', 'print the JSON-RPC result'),
  ).action(async (triggerId: string, flags: Flags & TriggerFlags) => {
    let secret: string | undefined;
    if (flags.secretEnv !== undefined) {
      if (!flags.webhook) throw usageError('--secret-env applies to --webhook triggers only');
      secret = ctx.io.env[flags.secretEnv];
      if (!secret) throw usageError(`environment variable ${flags.secretEnv} is not set`);
    }
    const filter = filterOf(flags.filter);
    const match = { ...(flags.source ? { source: flags.source } : {}), ...(flags.type ? { type: flags.type } : {}), ...(filter ? { filter } : {}) };
    const task = taskOf(flags);
    const workflow = workflowOf(flags);
    if (!task && !workflow) throw usageError('a trigger needs a task (--agent and --kind), a --workflow, or both');
    const trigger = { triggerId, enabled: flags.disabled !== true, match, ...(task ? { task } : {}), ...(workflow ? { workflow } : {}), ...(flags.webhook ? { webhook: { scheme: flags.webhook } } : {}) };
    await withConnection(flags, ctx, { requireModel: false }, async ({ client }) => {
      const result = await client.call<{ trigger: TriggerView; secret?: string | null }>('triggers/put', { trigger, ...(secret ? { secret } : {}) });
      if (flags.json) return writeJson(ctx, result);
      ctx.io.stdout.write(`${triggerLine(result.trigger)}\n`);
      // Shown once: the server never returns it again.
      if (result.secret) ctx.io.stdout.write(`webhook secret (shown once; configure the sender with it): ${result.secret}\n`);
    });
  });
  withServerOptions(triggers.command('list').description('list triggers').option('--json', 'print the JSON-RPC result')).action(async (flags: Flags) => {
    await withConnection(flags, ctx, { requireModel: false }, async ({ client }) => {
      const result = await client.call<{ triggers: TriggerView[] }>('triggers/list', {});
      if (flags.json) return writeJson(ctx, result);
      if (result.triggers.length === 0) ctx.io.stderr.write('no triggers; create one with `lightspeed triggers put`\n');
      for (const trigger of result.triggers) ctx.io.stdout.write(`${triggerLine(trigger)}\n`);
    });
  });
  for (const [name, method, description] of [
    ['show', 'triggers/read', 'one trigger (the secret is never shown)'],
    ['delete', 'triggers/delete', 'remove a trigger and its hook (recorded events remain)'],
  ] as const) {
    withServerOptions(triggers.command(name).description(description).argument('<triggerId>').option('--json', 'print the JSON-RPC result')).action(async (triggerId: string, flags: Flags) => {
      await withConnection(flags, ctx, { requireModel: false }, async ({ client }) => {
        const result = await client.call<{ trigger: TriggerView }>(method, { triggerId });
        if (flags.json) return writeJson(ctx, result);
        ctx.io.stdout.write(`${triggerLine(result.trigger)}\n`);
      });
    });
  }
}
