import { resolve } from 'node:path';
import { AgentDefinitionError, agentsDirOf, loadAgentsDir } from '@lightspeed/agents';
import { createLightspeedMcpServer } from '@lightspeed/api';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { Command } from 'commander';
import { rpcAgentApi } from '../client/rpc-agent-api.js';
import { agentFileError } from './agents-command.js';
import { withConnection, withModelOptions, withServerOptions, type CommandContext } from './command-context.js';
import { storeProjectAgents } from './serve-command.js';

type Flags = { project?: string; apiUrl?: string; apiKey?: string; dataDir?: string; engine?: string; config?: string; provider?: string; model?: string };

/**
 * `lightspeed mcp serve` (also bare `lightspeed mcp`): the platform as an MCP server on stdin and
 * stdout, for a local MCP client (Claude Code, Codex…). It serves an embedded server, or the one at
 * --api-url; stdout carries only the protocol, notices go to stderr. It stops when the client
 * closes stdin or on SIGINT/SIGTERM. An embedded server stores the project's agent files as
 * profiles first, as `serve` does, so `sessions_start { agent }` finds them.
 */
export function registerMcpServe(mcp: Command, ctx: CommandContext): void {
  withModelOptions(
    withServerOptions(
      mcp
        .command('serve', { isDefault: true })
        .description('run Lightspeed as an MCP server over stdio (the default of `lightspeed mcp`): tools sessions_start, sessions_send, sessions_read, waits_list, waits_answer')
        .option('--project <dir>', 'embedded: store the agents of DIR/.lightspeed/agents/*.md as profiles at start (default: the current directory)'),
    ),
  ).action(async (flags: Flags) => {
    ctx.handlesInterrupt = true;
    const embedded = flags.apiUrl === undefined && ctx.io.env.LIGHTSPEED_API_URL === undefined;
    const agentsDir = agentsDirOf(resolve(ctx.io.cwd, flags.project ?? '.'));
    // Validated before anything starts, as on `serve`: a bad agent file stops with its lines.
    const agents = embedded ? await loadAgentsDir(agentsDir) : { agents: [], problems: [] };
    if (agents.problems.length > 0) throw agentFileError(new AgentDefinitionError(agents.problems));
    await withConnection(flags, ctx, { requireModel: embedded }, async ({ client }) => {
      if (agents.agents.length > 0) await storeProjectAgents(client, agents.agents, agentsDir, ctx);
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
