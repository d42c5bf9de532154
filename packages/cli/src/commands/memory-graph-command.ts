import type { Command } from 'commander';
import { usageError } from '../cli-error.js';
import { withConnection, withServerOptions, writeJson, type CommandContext } from './command-context.js';

/*
 * `lightspeed memory entity list|show` and `lightspeed memory graph` (issue 16): the entities the
 * memory events named and the edges between them, each edge with its evidence and validity.
 */

type Flags = { json?: boolean; apiUrl?: string; apiKey?: string; dataDir?: string; engine?: string };

interface EntityView {
  type: string;
  key: string;
  aliases: string[];
  title?: string | null;
  firstSeenMs: number;
  lastSeenMs: number;
  eventCount: number;
}

interface EdgeView {
  type: string;
  from: { type: string; key: string };
  to: { type: string; key: string };
  evidence: string[];
  evidenceCount: number;
  confidence: number;
  invalidAtMs?: number | null;
  invalidatedBy?: string | null;
}

const iso = (ms: number) => new Date(ms).toISOString();

function entityLine(entity: EntityView): string {
  return [entity.type, entity.key, `${entity.eventCount} events`, `${iso(entity.firstSeenMs)}..${iso(entity.lastSeenMs)}`, entity.title ?? ''].join('\t').trimEnd();
}

/** `pr github:octo/app#7 -fixes-> issue linear:ENG-1 (2 events, 0.7) INVALID since … by mev_…`. */
function edgeLine(edge: EdgeView): string {
  const validity = edge.invalidAtMs != null ? `\tinvalid since ${iso(edge.invalidAtMs)} (${edge.invalidatedBy ?? '?'})` : '';
  return `${edge.from.type} ${edge.from.key}\t-${edge.type}->\t${edge.to.type} ${edge.to.key}\t${edge.evidenceCount} events, confidence ${edge.confidence}\t${edge.evidence.join(',')}${validity}`;
}

/** A repeatable option's values. */
export const collect = (value: string, previous: string[] = []) => [...previous, value];

export function registerMemoryGraph(memory: Command, ctx: CommandContext): void {
  const entity = memory.command('entity').description('entities the memory events named: issues, PRs, commits, deployments, people…');
  withServerOptions(entity.command('list').description('type, key, events, first..last seen, title').option('--type <type>').option('--limit <n>', 'at most this many', '100').option('--json', 'print the JSON-RPC result')).action(
    async (flags: Flags & { type?: string; limit: string }) => {
      const limit = Number(flags.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw usageError(`--limit must be a whole number from 1 to 1000, got "${flags.limit}"`);
      await withConnection(flags, ctx, { requireModel: false }, async ({ client }) => {
        const result = await client.call<{ entities: EntityView[] }>('memory/entities/list', { limit, ...(flags.type ? { type: flags.type } : {}) });
        if (flags.json) return writeJson(ctx, result);
        if (result.entities.length === 0) ctx.io.stderr.write('no memory entities\n');
        for (const e of result.entities) ctx.io.stdout.write(`${entityLine(e)}\n`);
      });
    },
  );
  withServerOptions(entity.command('show').description('one entity by key or alias').argument('<type>').argument('<key>').option('--json', 'print the JSON-RPC result')).action(async (type: string, key: string, flags: Flags) => {
    await withConnection(flags, ctx, { requireModel: false }, async ({ client }) => {
      const result = await client.call<{ entity: EntityView }>('memory/entities/read', { type, key });
      if (flags.json) return writeJson(ctx, result);
      ctx.io.stdout.write(`${[entityLine(result.entity), ...result.entity.aliases.map((a) => `alias\t${a}`)].join('\n')}\n`);
    });
  });
  withServerOptions(
    memory
      .command('graph')
      .description('the neighbours of an entity: one edge a line, with its evidence and validity')
      .argument('<type>')
      .argument('<key>')
      .option('--depth <n>', 'edges to follow, 1-3', '1')
      .option('--edge-type <type>', 'only edges of this type (repeatable)', collect)
      .option('--entity-type <type>', 'only reach entities of this type (repeatable)', collect)
      .option('--as-of <time>', 'the graph as it stood at this ISO time')
      .option('--json', 'print the JSON-RPC result'),
  ).action(async (type: string, key: string, flags: Flags & { depth: string; edgeType?: string[]; entityType?: string[]; asOf?: string }) => {
    const depth = Number(flags.depth);
    if (!Number.isInteger(depth) || depth < 1 || depth > 3) throw usageError(`--depth must be 1, 2 or 3, got "${flags.depth}"`);
    const asOf = flags.asOf === undefined ? undefined : Date.parse(flags.asOf);
    if (asOf !== undefined && Number.isNaN(asOf)) throw usageError(`--as-of must be an ISO time, got "${flags.asOf}"`);
    await withConnection(flags, ctx, { requireModel: false }, async ({ client }) => {
      const result = await client.call<{ root: EntityView; entities: EntityView[]; edges: EdgeView[] }>('memory/graph/neighbours', {
        type,
        key,
        depth,
        ...(flags.edgeType ? { edgeTypes: flags.edgeType } : {}),
        ...(flags.entityType ? { entityTypes: flags.entityType } : {}),
        ...(asOf !== undefined ? { asOfMs: asOf } : {}),
      });
      if (flags.json) return writeJson(ctx, result);
      const lines = [entityLine(result.root), ...result.edges.map(edgeLine)];
      ctx.io.stdout.write(`${lines.join('\n')}\n`);
      if (result.edges.length === 0) ctx.io.stderr.write('no edges\n');
    });
  });
}
