import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { resolvePipelineSettings } from '../config/index.ts';
import { ask } from '../engine/ask.ts';
import { openIndexStorage, search } from '../engine/index.ts';
import { redactResult } from '../guard/index.ts';
import { createCairnMcpServer, passageUrl } from '../mcp/cairn-mcp-server.ts';
import { createUsageLedger, enforceBudget } from '../usage/index.ts';
import { CAIRN_VERSION } from '../version.ts';
import { buildPipeline, indexAskOptions } from './build-answerer.ts';
import { embedderEndpoint } from './chunking-options.ts';
import { closeStorage } from './close-index.ts';
import type { CommandContext } from './command-context.ts';
import { EXIT } from './exit-codes.ts';
import { openTraceExporter } from './open-trace-exporter.ts';
import { parseOptions } from './parse-options.ts';
import { requireIndex } from './require-index.ts';

export const MCP_HELP = `Usage: cairn mcp [--index FILE] [--namespace NAME] [--base-url URL] [--config FILE]

Serves the index to an MCP client (a desktop assistant or an IDE) over stdio: the tools search,
fetch, ask and list_documents, all read-only. Add it to the client's configuration as a command,
e.g. {"command": "npx", "args": ["cairn", "mcp", "--index", "/path/to/.cairn/index.db"]}.
Nothing but the protocol is written to stdout; messages go to stderr.

Options:
  --index FILE       index file (default: config index, $CAIRN_INDEX or .cairn/index.db)
  --namespace NAME   tenant namespace whose documents are served (default: default)
  --base-url URL     where \`cairn serve\` runs, for the links in results (default: http://127.0.0.1:8787)
  --config FILE      configuration file (default: ./cairn.config.json or .yaml)
`;

/** `cairn mcp`: the MCP server over stdio, until the client closes the connection. */
export async function mcpCommand(args: string[], context: CommandContext): Promise<number> {
  const { values } = parseOptions('mcp', args, {
    index: { type: 'string' },
    namespace: { type: 'string' },
    'base-url': { type: 'string' },
    help: { type: 'boolean' },
  });
  if (values.help) {
    context.stdout.write(MCP_HELP);
    return EXIT.ok;
  }
  const loaded = context.config();
  const settings = resolvePipelineSettings(loaded, 'ask', {
    ...(values.index ? { index: values.index } : {}),
    ...(values.namespace ? { namespace: values.namespace } : {}),
  });
  const { index: indexPath, namespace } = settings;
  requireIndex(indexPath);
  const baseUrl = new URL(values['base-url'] ?? 'http://127.0.0.1:8787').toString().replace(/\/$/, '');
  const opened = await openIndexStorage({
    indexPath,
    fallbackEmbedder: settings.embedder.model,
    endpoint: embedderEndpoint(loaded.config),
  });
  const { storage, embedder } = opened;
  const usage = createUsageLedger(storage.usage);
  const pipeline = buildPipeline(settings, embedder, { stream: false, cacheStore: storage.cache });
  const redact = <T>(value: T): T => (settings.guard.redactAnswers ? redactResult(value) : value);
  const traceExporter = await openTraceExporter(loaded.config.telemetry, (line) =>
    context.stderr.write(line),
  );

  const server = createCairnMcpServer(
    {
      store: storage.store,
      namespace,
      redact,
      linkFor: (docId, chunkId) => passageUrl(baseUrl, docId, chunkId),
      search: async (query, k) =>
        (
          await search({
            store: storage.store,
            embedder,
            query,
            namespace,
            k,
            mode: settings.retrieval.mode,
            ...(settings.retrieval.fusion ? { fusion: settings.retrieval.fusion } : {}),
            ...(traceExporter ? { traceExporter } : {}),
          })
        ).results,
      ask: async (question) => {
        // The same daily budget as `cairn ask` and the server's tenant of this namespace.
        enforceBudget(await usage.standing(namespace, loaded.config.budgets));
        const result = await ask({
          ...indexAskOptions(pipeline, opened, namespace),
          question,
          ...(traceExporter ? { traceExporter } : {}),
        });
        await usage.recordAnswer(namespace, result);
        return result;
      },
    },
    { version: CAIRN_VERSION },
  );
  const closed = new Promise<void>((resolve) => {
    server.server.onclose = () => resolve();
  });
  await server.connect(new StdioServerTransport());
  context.stderr.write(`cairn MCP server on stdio (index ${indexPath}, namespace ${namespace})\n`);
  try {
    await closed;
  } finally {
    await traceExporter?.shutdown();
    await closeStorage(opened);
  }
  return EXIT.ok;
}
