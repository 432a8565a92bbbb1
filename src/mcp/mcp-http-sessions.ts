import { randomUUID } from 'node:crypto';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import { CairnError } from '../spec/index.ts';

/** Who opened a session: its requests must keep coming with the same key. */
export interface McpCaller {
  keyId: string;
  tenant: string;
}

/** Settings of {@link createMcpSessions}. */
export interface McpSessionOptions<C extends McpCaller> {
  /** Makes the tenant's MCP server for a new session. */
  serverFor(caller: C): McpServer;
  /** A session unused this long is closed. @default 30 minutes */
  idleMs?: number;
  /** Open sessions at most, over every tenant; the oldest idle one goes first. @default 1000 */
  maxSessions?: number;
}

interface Session {
  transport: WebStandardStreamableHTTPServerTransport;
  server: McpServer;
  caller: McpCaller;
  usedAt: number;
}

/**
 * Streamable HTTP sessions for `/mcp`: one MCP server and transport per session, bound to the key
 * that opened it, so a session id alone (or with another tenant's key) reaches nothing. Sessions
 * live in this process; behind a load balancer, route by the `mcp-session-id` header.
 */
export function createMcpSessions<C extends McpCaller>(options: McpSessionOptions<C>) {
  const idleMs = options.idleMs ?? 30 * 60_000;
  const maxSessions = options.maxSessions ?? 1000;
  const sessions = new Map<string, Session>();

  const close = async (id: string) => {
    const session = sessions.get(id);
    if (!session) return;
    sessions.delete(id);
    await session.server.close().catch(() => {});
  };
  const sweep = async (now: number) => {
    for (const [id, session] of sessions) if (now - session.usedAt > idleMs) await close(id);
    while (sessions.size >= maxSessions) {
      const oldest = [...sessions].sort((a, b) => a[1].usedAt - b[1].usedAt)[0];
      if (!oldest) break;
      await close(oldest[0]);
    }
  };

  return {
    /** Handles one request to `/mcp` from an authenticated caller. */
    async handle(request: Request, caller: C): Promise<Response> {
      const now = Date.now();
      const id = request.headers.get('mcp-session-id');
      if (id) {
        const session = sessions.get(id);
        if (!session) {
          throw new CairnError(
            'not_found',
            `no MCP session "${id}" (it expired or was closed): initialize a new one`,
          );
        }
        if (session.caller.keyId !== caller.keyId) {
          throw new CairnError('forbidden', 'this MCP session was opened with another API key');
        }
        session.usedAt = now;
        const response = await session.transport.handleRequest(request);
        if (request.method === 'DELETE') await close(id);
        return response;
      }
      if (request.method !== 'POST') {
        throw new CairnError(
          'invalid_input',
          'an MCP session starts with a POST of "initialize"; send mcp-session-id after that',
        );
      }
      await sweep(now);
      const server = options.serverFor(caller);
      const transport = new WebStandardStreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        onsessioninitialized: (sessionId) => {
          sessions.set(sessionId, { transport, server, caller, usedAt: now });
        },
        onsessionclosed: (sessionId) => {
          sessions.delete(sessionId);
        },
      });
      await server.connect(transport);
      const response = await transport.handleRequest(request);
      // A first request that was not a valid initialize opens no session: drop its server.
      if (!transport.sessionId || !sessions.has(transport.sessionId)) await server.close().catch(() => {});
      return response;
    },
    /** Open sessions, for tests and metrics. */
    get size() {
      return sessions.size;
    },
    /** Closes every session (server shutdown). */
    async closeAll() {
      for (const id of [...sessions.keys()]) await close(id);
    },
  };
}
