import type { Command } from 'commander';
import { usageError } from '../cli-error.js';
import { withConnection, withServerOptions, writeJson, type CommandContext } from './command-context.js';
import { eventLine, type MemoryEventView } from './memory-event-line.js';
import { collect } from './memory-graph-command.js';

type Flags = { json?: boolean; apiUrl?: string; apiKey?: string; dataDir?: string; engine?: string };

type PathRank = { rank: number; score: number } | null | undefined;

interface SearchHitView {
  eventId: string;
  event: MemoryEventView;
  score: number;
  paths: { lexical?: PathRank; vector?: PathRank; entity?: PathRank };
  matchedEntities?: { type: string; key: string }[] | null;
}

interface SearchResult {
  hits: SearchHitView[];
  nextCursor?: string | null;
  explanation: Record<'lexical' | 'vector' | 'entity', string>;
  entityKeys: { type: string; key: string }[];
  latencyMs: Record<string, number>;
}

interface IndexStatus {
  model?: string | null;
  dimensions?: number | null;
  events: number;
  embedded: number;
  pending: number;
  failures: number;
  lastError?: string | null;
  lastErrorAtMs?: number | null;
  retryAtMs?: number | null;
}

function timeOf(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const at = /^\d+$/.test(text) ? Number(text) : Date.parse(text);
  if (Number.isNaN(at)) throw usageError(`${flag} must be an ISO time or epoch milliseconds, got "${text}"`);
  return at;
}

function intOf(flag: string, text: string | undefined, min: number, max: number): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > max) throw usageError(`${flag} must be a whole number from ${min} to ${max}, got "${text}"`);
  return n;
}

/** `lexical #1 (0.412) · vector #3 (0.871)`: where each path ranked the hit and its own score. */
function pathsLine(hit: SearchHitView): string {
  const parts = (['lexical', 'vector', 'entity'] as const).flatMap((path) => {
    const p = hit.paths[path];
    return p ? [`${path} #${p.rank} (${p.score.toFixed(3)})`] : [];
  });
  const via = hit.matchedEntities?.length ? ` via ${hit.matchedEntities.map((e) => `${e.type} ${e.key}`).join(', ')}` : '';
  return `  rrf ${hit.score.toFixed(4)} · ${parts.join(' · ')}${via}`;
}

/** `lightspeed memory search "<query>"` and `lightspeed memory index status` (issue 17). */
export function registerMemorySearch(memory: Command, ctx: CommandContext): void {
  withServerOptions(
    memory
      .command('search')
      .description('hybrid search (full text, vectors, entity keys like #12 or ENG-42) over memory events; each hit with where each path ranked it')
      .argument('<query>')
      .option('--provider <provider>', 'only this provider (repeatable)', collect)
      .option('--type <type>', 'only this event type (repeatable)', collect)
      .option('--source <sourceId>', 'only this source (repeatable)', collect)
      .option('--after <time>', 'occurred at or after (ISO time or epoch ms)')
      .option('--before <time>', 'occurred before (ISO time or epoch ms)')
      .option('--entity-type <type>', 'only events naming an entity of this type (repeatable)', collect)
      .option('--min-significance <n>', 'only events scoring at least this (0-100)')
      .option('--limit <n>', 'hits per page (1-100)', '10')
      .option('--cursor <cursor>', 'the next page (printed after a full page)')
      .option('--json', 'print the JSON-RPC result'),
  ).action(
    async (
      query: string,
      flags: Flags & { provider?: string[]; type?: string[]; source?: string[]; after?: string; before?: string; entityType?: string[]; minSignificance?: string; limit: string; cursor?: string },
    ) => {
      const after = timeOf('--after', flags.after);
      const before = timeOf('--before', flags.before);
      const minSignificance = intOf('--min-significance', flags.minSignificance, 0, 100);
      const params = {
        query,
        limit: intOf('--limit', flags.limit, 1, 100),
        ...(flags.provider ? { providers: flags.provider } : {}),
        ...(flags.type ? { types: flags.type } : {}),
        ...(flags.source ? { sourceIds: flags.source } : {}),
        ...(after !== undefined ? { afterMs: after } : {}),
        ...(before !== undefined ? { beforeMs: before } : {}),
        ...(flags.entityType ? { entityTypes: flags.entityType } : {}),
        ...(minSignificance !== undefined ? { minSignificance } : {}),
        ...(flags.cursor ? { cursor: flags.cursor } : {}),
      };
      // --provider here is the memory provider, not the connection's LLM provider.
      const { provider: _memoryProviders, ...connection } = flags;
      await withConnection(connection, ctx, { requireModel: false }, async ({ client }) => {
        const result = await client.call<SearchResult>('memory/search', params);
        if (flags.json) return writeJson(ctx, result);
        for (const hit of result.hits) ctx.io.stdout.write(`${eventLine(hit.event)}\n${pathsLine(hit)}\n`);
        if (result.hits.length === 0) ctx.io.stderr.write('no hits\n');
        for (const path of ['lexical', 'vector', 'entity'] as const) ctx.io.stderr.write(`${path}: ${result.explanation[path]}\n`);
        ctx.io.stderr.write(`latency ms: ${Object.entries(result.latencyMs).map(([stage, ms]) => `${stage} ${ms}`).join(', ')}\n`);
        if (result.nextCursor) ctx.io.stderr.write(`next page: --cursor ${result.nextCursor}\n`);
      });
    },
  );
  const index = memory.command('index').description('the background indexer that embeds memory events for vector search');
  withServerOptions(index.command('status').description('events embedded with the current model, pending, and the last failure').option('--json', 'print the JSON-RPC result')).action(async (flags: Flags) => {
    await withConnection(flags, ctx, { requireModel: false }, async ({ client }) => {
      const status = await client.call<IndexStatus>('memory/index/status', {});
      if (flags.json) return writeJson(ctx, status);
      const lines = status.model
        ? [`model\t${status.model} (${status.dimensions ?? '?'} dimensions)`, `embedded\t${status.embedded} of ${status.events}`, `pending\t${status.pending}`]
        : [`model\tnone configured: search runs lexical + entity`, `events\t${status.events}`];
      if (status.failures > 0) {
        lines.push(`failures\t${status.failures} in a row`, `last error\t${status.lastError ?? '?'}${status.lastErrorAtMs ? ` at ${new Date(status.lastErrorAtMs).toISOString()}` : ''}`);
        if (status.retryAtMs) lines.push(`next retry\t${new Date(status.retryAtMs).toISOString()}`);
      }
      ctx.io.stdout.write(`${lines.join('\n')}\n`);
    });
  });
}
