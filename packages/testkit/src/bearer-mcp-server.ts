import { createServer, type Server } from 'node:http';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { z } from 'zod';

export interface BearerMcpServer {
  /** The streamable HTTP endpoint, `http://127.0.0.1:PORT/mcp`. */
  url: string;
  /** The Authorization header of every request received ('' when absent), to check what was sent. */
  authorizations: string[];
  close(): Promise<void>;
}

/**
 * A streamable HTTP MCP server built with the official SDK (stateless: one server and transport
 * per request) that refuses requests without `Authorization: Bearer <token>` (401), with one `add`
 * tool answering `sum=<a+b>`. Tests of credentials taken from env vars run against it.
 */
export async function startBearerMcpServer(token: string): Promise<BearerMcpServer> {
  const authorizations: string[] = [];
  const server: Server = createServer(async (req, res) => {
    authorizations.push(req.headers.authorization ?? '');
    if (req.headers.authorization !== `Bearer ${token}`) {
      res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'unauthorized' }));
      return;
    }
    const mcp = new McpServer({ name: 'adder', version: '1.0.0' });
    mcp.registerTool('add', { description: 'Adds two numbers', inputSchema: { a: z.number(), b: z.number() } }, async ({ a, b }) => ({ content: [{ type: 'text', text: `sum=${a + b}` }] }));
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    res.on('close', () => {
      void transport.close();
      void mcp.close();
    });
    await mcp.connect(transport);
    await transport.handleRequest(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    authorizations,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
