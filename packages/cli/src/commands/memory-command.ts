import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { EXIT, usageError } from '../cli-error.js';
import { withConnection, withServerOptions, writeJson, type CommandContext } from './command-context.js';
import { registerMemoryAsk } from './memory-ask-command.js';
import { eventLine, type MemoryEventView } from './memory-event-line.js';
import { registerMemoryGraph } from './memory-graph-command.js';
import { registerMemorySearch } from './memory-search-command.js';

type Flags = { json?: boolean; apiUrl?: string; apiKey?: string; dataDir?: string; engine?: string };

interface SourceView {
  sourceId: string;
  provider: string;
  displayName?: string | null;
  eventTypes: string[];
  people?: Record<string, string | null | undefined>[];
  webhookPath: string;
  secretKind: 'sealed' | 'env';
  secretEnv?: string | null;
  revision: number;
}

const PROVIDERS = ['github', 'linear', 'sentry', 'vercel'];

function sourceLine(source: SourceView): string {
  const secret = source.secretKind === 'env' ? `secret from server env ${source.secretEnv ?? '?'}` : 'secret sealed';
  const types = source.eventTypes.length > 0 ? source.eventTypes.join(',') : 'all types';
  const people = source.people?.length ? `${source.people.length} people mapping${source.people.length === 1 ? '' : 's'}` : '';
  return [source.sourceId, source.provider, `POST ${source.webhookPath}`, types, secret, people, source.displayName ?? ''].filter((c, i) => i < 5 || c !== '').join('\t').trimEnd();
}

const IDENTITY_KINDS = ['github', 'linear', 'sentry', 'vercel', 'email'];

/** `--person github=octocat,linear=<user id>,email=a@b.c` → one mapping (the server checks the rest). */
function personFlag(text: string, previous: Record<string, string>[] = []): Record<string, string>[] {
  const mapping: Record<string, string> = {};
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const at = part.indexOf('=');
    const kind = at > 0 ? part.slice(0, at).trim() : '';
    if (!IDENTITY_KINDS.includes(kind) || at === part.length - 1) throw usageError(`--person takes kind=value pairs (${IDENTITY_KINDS.join(', ')}), got "${part}"`);
    if (mapping[kind] !== undefined) throw usageError(`--person names ${kind} twice in "${text}"`);
    mapping[kind] = part.slice(at + 1).trim();
  }
  return [...previous, mapping];
}

function limitOf(text: string): number {
  const limit = Number(text);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw usageError(`--limit must be a whole number from 1 to 1000, got "${text}"`);
  return limit;
}

/** `lightspeed memory sources …`, `lightspeed memory events …`, `entity …` and `graph` (issue 16). */
export function registerMemory(program: Command, ctx: CommandContext): void {
  const memory = program.command('memory').description('what happened across GitHub, Linear, Sentry and Vercel: verified webhooks as canonical events');
  const sources = memory.command('sources').description('connected integrations whose signed webhooks become memory events');
  withServerOptions(
    sources
      .command('put')
      .alias('add')
      .description('connect or update a source; prints the webhook path to configure at the provider')
      .argument('<sourceId>')
      .requiredOption('--provider <provider>', PROVIDERS.join(' | '))
      .option('--name <displayName>')
      .option('--types <types>', 'accept only these event types (comma-separated; default all)')
      .option('--secret-env <name>', 'read the webhook secret from this environment variable here and send it (sealed at rest on the server)')
      .option('--server-env <name>', 'the server reads the secret from its own environment variable of this name (nothing secret is stored)')
      .option('--person <identities>', 'one person across tools, e.g. github=octocat,linear=<user id>,email=a@example.com (repeatable; replaces the list)', personFlag)
      .option('--json', 'print the JSON-RPC result'),
  ).action(async (sourceId: string, flags: Flags & { provider: string; name?: string; types?: string; secretEnv?: string; serverEnv?: string; person?: Record<string, string>[] }) => {
    if (!PROVIDERS.includes(flags.provider)) throw usageError(`--provider must be one of ${PROVIDERS.join(', ')}, got "${flags.provider}"`);
    if (flags.secretEnv !== undefined && flags.serverEnv !== undefined) throw usageError('give --secret-env or --server-env, not both');
    let secret: string | undefined;
    if (flags.secretEnv !== undefined) {
      secret = ctx.io.env[flags.secretEnv];
      if (!secret) throw usageError(`environment variable ${flags.secretEnv} is not set`);
    }
    const params = {
      sourceId,
      provider: flags.provider,
      ...(flags.name ? { displayName: flags.name } : {}),
      ...(flags.types ? { eventTypes: flags.types.split(',').map((t) => t.trim()).filter(Boolean) } : {}),
      ...(secret ? { secret } : {}),
      ...(flags.serverEnv ? { secretEnv: flags.serverEnv } : {}),
      ...(flags.person ? { people: flags.person } : {}),
    };
    // --provider here is the source's provider, not the model provider of an embedded server.
    const { provider: _provider, ...connection } = flags;
    void _provider;
    await withConnection(connection, ctx, { requireModel: false }, async ({ client }) => {
      const result = await client.call<{ source: SourceView; secret?: string | null }>('memory/sources/put', params);
      if (flags.json) return writeJson(ctx, result);
      ctx.io.stdout.write(`${sourceLine(result.source)}\n`);
      // Shown once: the server never returns it again.
      if (result.secret) ctx.io.stdout.write(`webhook secret (shown once; configure the provider with it): ${result.secret}\n`);
    });
  });
  withServerOptions(sources.command('list').description('list sources').option('--json', 'print the JSON-RPC result')).action(async (flags: Flags) => {
    await withConnection(flags, ctx, { requireModel: false }, async ({ client }) => {
      const result = await client.call<{ sources: SourceView[] }>('memory/sources/list', {});
      if (flags.json) return writeJson(ctx, result);
      if (result.sources.length === 0) ctx.io.stderr.write('no memory sources; connect one with `lightspeed memory sources put`\n');
      for (const source of result.sources) ctx.io.stdout.write(`${sourceLine(source)}\n`);
    });
  });
  for (const [name, method, description] of [
    ['show', 'memory/sources/read', 'one source (the secret is never shown)'],
    ['delete', 'memory/sources/delete', 'disconnect a source (recorded events remain)'],
  ] as const) {
    withServerOptions(sources.command(name).description(description).argument('<sourceId>').option('--json', 'print the JSON-RPC result')).action(async (sourceId: string, flags: Flags) => {
      await withConnection(flags, ctx, { requireModel: false }, async ({ client }) => {
        const result = await client.call<{ source: SourceView }>(method, { sourceId });
        if (flags.json) return writeJson(ctx, result);
        ctx.io.stdout.write(`${sourceLine(result.source)}\n`);
      });
    });
  }

  withServerOptions(
    memory
      .command('import')
      .description('ingest a JSONL of recorded deliveries {provider, headers, body} through the webhook pipeline of a source (re-running changes nothing)')
      .argument('<file>')
      .requiredOption('--source <sourceId>', 'the source whose pipeline (and secret) the deliveries go through')
      .option('--trusted', 'skip the signature check (dedupe always applies)')
      .option('--json', 'print the totals as JSON'),
  ).action(async (file: string, flags: Flags & { source: string; trusted?: boolean }) => {
    const lines = (await readFile(file, 'utf8')).split('\n').filter((line) => line.trim().length > 0);
    const deliveries = lines.map((line, i) => {
      let value: { provider?: unknown; headers?: unknown; body?: unknown };
      try {
        value = JSON.parse(line) as typeof value;
      } catch {
        throw usageError(`${file}:${i + 1}: not JSON`);
      }
      const headers = value.headers !== null && typeof value.headers === 'object' ? (value.headers as Record<string, string>) : {};
      // A body kept as a JSON object cannot carry its original bytes: only a --trusted import can use it.
      const body = typeof value.body === 'string' ? value.body : JSON.stringify(value.body ?? null);
      return { provider: String(value.provider ?? ''), headers, body };
    });
    await withConnection(flags, ctx, { requireModel: false }, async ({ client }) => {
      const { source } = await client.call<{ source: SourceView }>('memory/sources/read', { sourceId: flags.source });
      const totals = { accepted: 0, deduped: 0, ignored: 0, rejected: [] as { line: number; status: number; message: string }[] };
      let done = 0;
      for (let start = 0; start < deliveries.length; ) {
        // Batches of at most 100 deliveries and about 4 MiB, under the gateway's request cap.
        let end = start;
        let bytes = 0;
        while (end < deliveries.length && end - start < 100 && (end === start || bytes + deliveries[end]!.body.length < 4 * 1024 * 1024)) bytes += deliveries[end++]!.body.length;
        const batch = deliveries.slice(start, end);
        const mismatched = batch.flatMap((d, i) => (d.provider !== source.provider ? [i] : []));
        for (const i of mismatched) totals.rejected.push({ line: start + i + 1, status: 400, message: `provider ${batch[i]!.provider || '(none)'} is not this source's (${source.provider})` });
        const sent = batch.map((d, i) => ({ d, line: start + i + 1 })).filter(({ d }) => d.provider === source.provider);
        if (sent.length > 0) {
          const result = await client.call<{ accepted: number; deduped: number; ignored: number; rejected: { index: number; status: number; message: string }[] }>('memory/deliveries/import', {
            sourceId: flags.source,
            deliveries: sent.map(({ d }) => ({ headers: d.headers, body: d.body })),
            ...(flags.trusted ? { trusted: true } : {}),
          });
          totals.accepted += result.accepted;
          totals.deduped += result.deduped;
          totals.ignored += result.ignored;
          for (const r of result.rejected) totals.rejected.push({ line: sent[r.index]!.line, status: r.status, message: r.message });
        }
        done = end;
        start = end;
        if (!flags.json) ctx.io.stderr.write(`\rimported ${done}/${deliveries.length}`);
      }
      if (flags.json) return writeJson(ctx, totals);
      ctx.io.stderr.write('\n');
      for (const r of totals.rejected) ctx.io.stderr.write(`line ${r.line}: ${r.status} ${r.message}\n`);
      ctx.io.stdout.write(`${totals.accepted} new, ${totals.deduped} already known, ${totals.ignored} ignored, ${totals.rejected.length} rejected\n`);
      if (totals.rejected.length > 0) ctx.exitCode = EXIT.failed;
    });
  });

  const events = memory.command('events').description('canonical memory events, newest first');
  withServerOptions(
    events
      .command('list')
      .description('id, occurred at, significance, provider/type.action, title')
      .option('--provider <provider>')
      .option('--type <type>')
      .option('--source <sourceId>')
      .option('--min-significance <n>', 'only events scoring at least this (0-100)')
      .option('--entity <type:key>', "only events about this entity (primary or related), e.g. pr:acme/api#12")
      .option('--limit <n>', 'at most this many', '50')
      .option('--json', 'print the JSON-RPC result'),
  ).action(async (flags: Flags & { provider?: string; type?: string; source?: string; minSignificance?: string; entity?: string; limit: string }) => {
    // The type ends at the first colon: keys hold colons of their own (email:…, commit sha:…).
    const split = flags.entity === undefined ? undefined : flags.entity.indexOf(':');
    if (split !== undefined && split < 1) throw usageError(`--entity must be type:key (pr:acme/api#12), got "${flags.entity}"`);
    const entity = split === undefined ? undefined : { type: flags.entity!.slice(0, split), key: flags.entity!.slice(split + 1) };
    const min = flags.minSignificance === undefined ? undefined : Number(flags.minSignificance);
    if (min !== undefined && (!Number.isInteger(min) || min < 0 || min > 100)) throw usageError(`--min-significance must be a whole number from 0 to 100, got "${flags.minSignificance}"`);
    const params = {
      limit: limitOf(flags.limit),
      ...(flags.provider ? { provider: flags.provider } : {}),
      ...(flags.type ? { type: flags.type } : {}),
      ...(flags.source ? { sourceId: flags.source } : {}),
      ...(min !== undefined ? { minSignificance: min } : {}),
      ...(entity ? { entity } : {}),
    };
    await withConnection(flags, ctx, { requireModel: false }, async ({ client }) => {
      const result = await client.call<{ events: MemoryEventView[] }>('memory/events/list', params);
      if (flags.json) return writeJson(ctx, result);
      if (result.events.length === 0) ctx.io.stderr.write('no memory events\n');
      for (const event of result.events) ctx.io.stdout.write(`${eventLine(event)}\n`);
    });
  });
  withServerOptions(events.command('show').description('one event with its entities and significance factors').argument('<eventId>').option('--json', 'print the JSON-RPC result')).action(
    async (eventId: string, flags: Flags) => {
      await withConnection(flags, ctx, { requireModel: false }, async ({ client }) => {
        const { event } = await client.call<{ event: MemoryEventView }>('memory/events/read', { eventId });
        if (flags.json) return writeJson(ctx, { event });
        const lines = [
          eventLine(event),
          `source key\t${event.sourceKey}`,
          ...(event.primary ? [`primary\t${event.primary.type} ${event.primary.key}`] : []),
          ...event.related.map((r) => `related\t${r.relation}\t${r.type} ${r.key}`),
          `significance\t${event.significance} = ${event.factors.map((f) => `${f.rule} ${f.points >= 0 ? '+' : ''}${f.points}`).join(', ')}`,
          ...Object.entries(event.attributes).map(([k, v]) => `attribute\t${k}\t${String(v)}`),
          ...(event.rawRef ? [`raw delivery\t${event.rawRef}`] : []),
          ...(event.body ? ['', event.body] : []),
        ];
        ctx.io.stdout.write(`${lines.join('\n')}\n`);
      });
    },
  );
  registerMemoryGraph(memory, ctx);
  registerMemoryAsk(memory, ctx);
  registerMemorySearch(memory, ctx);
}
