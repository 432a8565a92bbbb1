import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import type { AskResult } from '../engine/ask-types.ts';
import type { RetrievalResult } from '../retrieve/index.ts';
import { CairnError, type Store, type StoredDocument } from '../spec/index.ts';

/**
 * What the MCP tools read, for one tenant. The host (the `cairn mcp` command or `cairn serve`)
 * supplies search and ask so that its own budgets, audit log and redaction apply, exactly as on
 * its other routes; passages and documents are read from the store in the tenant's namespace.
 */
export interface McpBackend {
  store: Store;
  /** The tenant: every read is in this namespace, so another tenant's ids are not found. */
  namespace: string;
  search(query: string, k: number): Promise<RetrievalResult[]>;
  ask(question: string): Promise<AskResult>;
  /** Redacts a value returned to the client the way the host's answers are (identity when off). */
  redact<T>(value: T): T;
  /** A stable link to a document or one of its passages in cairn's API. */
  linkFor(docId: string, chunkId?: string): string;
}

const READ_ONLY = { readOnlyHint: true, destructiveHint: false, openWorldHint: false } as const;

const passageLink = z.object({
  id: z.string().describe('Passage id: give it to `fetch` for the full text'),
  title: z.string(),
  url: z.string().describe('The passage in cairn’s API'),
});

const searchOutput = {
  results: z.array(
    passageLink.extend({
      source: z.string(),
      score: z.number(),
      text: z.string().describe('The passage'),
    }),
  ),
};

const fetchOutput = {
  id: z.string(),
  title: z.string(),
  text: z.string(),
  url: z.string(),
  metadata: z.record(z.string(), z.unknown()),
};

const askOutput = {
  answer: z.string(),
  abstained: z.boolean(),
  abstainReason: z.string().optional(),
  citations: z.array(passageLink.extend({ n: z.number().int(), source: z.string(), docId: z.string() })),
  conflicts: z.array(
    z.object({
      subject: z.string(),
      values: z.array(z.object({ value: z.string(), citations: z.array(z.number().int()) })),
      newer: z.string().optional(),
    }),
  ),
  traceId: z.string(),
};

const listOutput = {
  documents: z.array(
    z.object({
      id: z.string(),
      title: z.string(),
      source: z.string(),
      chunks: z.number().int(),
      quarantined: z.boolean(),
      url: z.string(),
    }),
  ),
  total: z.number().int(),
  nextOffset: z.number().int().optional(),
};

/** A tool's answer: the structured result, and the same as JSON text for clients that read only text. */
function reply<T extends Record<string, unknown>>(structured: T) {
  return {
    structuredContent: structured,
    content: [{ type: 'text' as const, text: JSON.stringify(structured) }],
  };
}

/** A failure the client should see as a tool error (with the reason), not as a protocol error. */
function toolError(error: unknown) {
  const message = CairnError.is(error)
    ? error.message
    : `cairn could not complete the call: ${(error as Error).message}`;
  return { isError: true, content: [{ type: 'text' as const, text: message }] };
}

async function guarded<T>(run: () => Promise<T>) {
  try {
    return await run();
  } catch (error) {
    return toolError(error);
  }
}

/**
 * An MCP server with cairn's four read-only tools — `search`, `fetch`, `ask` and `list_documents`
 * — in the shape assistant connectors expect (`search` → `{results:[{id,title,url}]}`, `fetch` →
 * `{id,title,text,url,metadata}`), each with input and output schemas. One server serves one
 * tenant; a host makes one per session.
 */
export function createCairnMcpServer(backend: McpBackend, info: { version: string }): McpServer {
  const server = new McpServer({ name: 'cairn', version: info.version });

  server.registerTool(
    'search',
    {
      title: 'Search the documents',
      description:
        'Ranked passages from the indexed documents for a query (hybrid BM25 + embeddings). Returns passage ids for `fetch`.',
      inputSchema: {
        query: z.string().min(1).max(2000).describe('What to look for, in words'),
        k: z.number().int().min(1).max(50).default(8).describe('How many passages'),
      },
      outputSchema: searchOutput,
      annotations: { ...READ_ONLY, idempotentHint: true },
    },
    ({ query, k }) =>
      guarded(async () => {
        const results = backend.redact(await backend.search(query, k));
        return reply({
          results: results.map((result) => ({
            id: result.chunkId,
            title: result.title,
            url: backend.linkFor(result.docId, result.chunkId),
            source: result.source,
            score: result.score,
            text: result.text,
          })),
        });
      }),
  );

  server.registerTool(
    'fetch',
    {
      title: 'Fetch a passage or document',
      description:
        'The full text of a passage (an id from `search` or `ask`) or of a whole document (an id from `list_documents`).',
      inputSchema: { id: z.string().min(1).max(1000).describe('A passage id or a document id') },
      outputSchema: fetchOutput,
      annotations: { ...READ_ONLY, idempotentHint: true },
    },
    ({ id }) => guarded(async () => reply(backend.redact(await fetchById(backend, id)))),
  );

  server.registerTool(
    'ask',
    {
      title: 'Ask the documents',
      description:
        'A grounded answer with numbered citations [n], or an abstention with its reason when the documents do not hold the answer; sources that disagree are listed as conflicts.',
      inputSchema: { question: z.string().min(1).max(4000).describe('The question, in words') },
      outputSchema: askOutput,
      annotations: { ...READ_ONLY, idempotentHint: false },
    },
    ({ question }) =>
      guarded(async () => {
        const result = backend.redact(await backend.ask(question));
        return reply({
          answer: result.answer,
          abstained: result.abstained,
          ...(result.abstainReason ? { abstainReason: result.abstainReason } : {}),
          citations: result.citations.map((citation) => ({
            n: citation.n,
            id: citation.chunkId,
            docId: citation.docId,
            title: citation.title,
            source: citation.source,
            url: backend.linkFor(citation.docId, citation.chunkId),
          })),
          conflicts: result.conflicts.map((conflict) => ({
            subject: conflict.subject,
            values: conflict.values.map(({ value, citations }) => ({ value, citations })),
            ...(conflict.newer ? { newer: conflict.newer.value } : {}),
          })),
          traceId: result.traceId,
        });
      }),
  );

  server.registerTool(
    'list_documents',
    {
      title: 'List the documents',
      description: 'The indexed documents, a page at a time, with their ids for `fetch`.',
      inputSchema: {
        offset: z.number().int().min(0).default(0),
        limit: z.number().int().min(1).max(500).default(100),
      },
      outputSchema: listOutput,
      annotations: { ...READ_ONLY, idempotentHint: true },
    },
    ({ offset, limit }) =>
      guarded(async () => {
        const documents = await backend.store.listDocuments(backend.namespace);
        const page = documents.slice(offset, offset + limit);
        return reply({
          documents: page.map((document: StoredDocument) => ({
            id: document.id,
            title: document.title,
            source: document.source,
            chunks: document.chunkCount,
            quarantined: document.quarantined,
            url: backend.linkFor(document.id),
          })),
          total: documents.length,
          ...(offset + limit < documents.length ? { nextOffset: offset + limit } : {}),
        });
      }),
  );

  return server;
}

/** A passage by its id, else a whole document by its id (its leaf passages joined). */
async function fetchById(backend: McpBackend, id: string) {
  const { store, namespace } = backend;
  const [chunk] = await store.getChunks(namespace, [id]);
  const [document] = await store.getDocuments(namespace, [chunk ? chunk.docId : id]);
  // Search and ask never return a quarantined document; neither does fetch, or a client could
  // read the planted instructions quarantine keeps away from models.
  if (document?.quarantined) {
    throw new CairnError(
      'not_found',
      `document "${document.id}" is quarantined for prompt injection; an admin can review it (cairn quarantine list)`,
    );
  }
  if (chunk) {
    return {
      id: chunk.id,
      title: chunk.title,
      text: chunk.text,
      url: backend.linkFor(chunk.docId, chunk.id),
      metadata: { kind: 'passage', docId: chunk.docId, source: chunk.source, ...chunk.metadata },
    };
  }
  if (!document) {
    throw new CairnError(
      'not_found',
      `no passage or document "${id}": use an id from search, ask or list_documents`,
    );
  }
  // Ids are `<doc>#<ordinal>`; parent-child documents also hold parents, so look a little further.
  const ids = Array.from({ length: document.chunkCount * 3 + 2 }, (_, ordinal) => `${id}#${ordinal}`);
  const chunks = (await store.getChunks(namespace, ids))
    .filter((passage) => passage.role !== 'parent')
    .sort((a, b) => a.ordinal - b.ordinal);
  return {
    id: document.id,
    title: document.title,
    text: chunks.map((passage) => passage.text).join('\n\n'),
    url: backend.linkFor(document.id),
    metadata: {
      kind: 'document',
      source: document.source,
      format: document.format,
      ingestedAt: document.ingestedAt,
      quarantined: document.quarantined,
      ...document.metadata,
    },
  };
}

/** The API address of a document's passages, narrowed to one passage when `chunkId` is given. */
export function passageUrl(baseUrl: string, docId: string, chunkId?: string): string {
  const url = `${baseUrl}/v1/documents/${encodeURIComponent(docId)}/chunks`;
  return chunkId ? `${url}?passage=${encodeURIComponent(chunkId)}` : url;
}
