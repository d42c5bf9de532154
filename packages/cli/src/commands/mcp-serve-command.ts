import { createLightspeedMcpServer } from '@lightspeed/api';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { Command } from 'commander';
import { rpcAgentApi } from '../client/rpc-agent-api.js';
import { withConnection, withModelOptions, withServerOptions, type CommandContext } from './command-context.js';

type Flags = { apiUrl?: string; apiKey?: string; dataDir?: string; engine?: string; config?: string; provider?: string; model?: string };

/**
 * `lightspeed mcp serve` (also bare `lightspeed mcp`): the platform as an MCP server on stdin and
 * stdout, for a local MCP client (Claude Code, Codex…). It serves an embedded server, or the one at
 * --api-url; stdout carries only the protocol, notices go to stderr. It stops when the client
 * closes stdin or on SIGINT/SIGTERM.
 */
export function registerMcpServe(mcp: Command, ctx: CommandContext): void {
  withModelOptions(
    withServerOptions(
      mcp
        .command('serve', { isDefault: true })
        .description('run Lightspeed as an MCP server over stdio (the default of `lightspeed mcp`): tools sessions_start, sessions_send, sessions_read, waits_list, waits_answer'),
    ),
  ).action(async (flags: Flags) => {
    ctx.handlesInterrupt = true;
    await withConnection(flags, ctx, { requireModel: flags.apiUrl === undefined && ctx.io.env.LIGHTSPEED_API_URL === undefined }, async ({ client }) => {
      const server = createLightspeedMcpServer(rpcAgentApi(client), {
        serverInfo: { name: 'lightspeed', version: '0.1.0' },
        onInternalError: (error) => ctx.io.stderr.write(`[lightspeed mcp] internal error: ${(error as Error)?.message ?? String(error)}\n`),
      });
      const transport = new StdioServerTransport(ctx.io.stdin, ctx.io.stdout);
      const closed = new Promise<void>((resolve) => {
        // The SDK's stdio transport does not end when its input does: a client that exits closes stdin.
        ctx.io.stdin.once('end', resolve);
        ctx.io.stdin.once('close', resolve);
        ctx.signal.addEventListener('abort', () => resolve(), { once: true });
        transport.onclose = () => resolve();
      });
      await server.connect(transport);
      await closed;
      await server.close();
    });
  });
}
