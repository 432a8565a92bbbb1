import { CairnError } from '../spec/index.ts';
import { askCommand } from './ask-command.ts';
import { calibrateCommand } from './calibrate-command.ts';
import type { CommandContext } from './command-context.ts';
import { configCommand } from './config-command.ts';
import { closestMatch, commandsInHelp } from './did-you-mean.ts';
import { evalCommand } from './eval-command.ts';
import { EXIT, exitCodeFor } from './exit-codes.ts';
import { ingestCommand } from './ingest-command.ts';
import { keysCommand } from './keys-command.ts';
import { mcpCommand } from './mcp-command.ts';
import { quarantineCommand } from './quarantine-command.ts';
import { searchCommand } from './search-command.ts';
import { serveCommand } from './serve-command.ts';
import { traceCommand } from './trace-command.ts';
import { usageCommand } from './usage-command.ts';
import { workerCommand } from './worker-command.ts';

const HELP = `cairn: grounded question answering over your own documents

Usage:
  cairn ingest <path>              index a folder or file (Markdown, text, HTML, PDF, DOCX, BEIR jsonl)
  cairn search "<query>"           ranked chunks with source, score and snippet
  cairn ask "<question>"           a cited answer (or an honest "not in the documents")
  cairn calibrate                  the index's own abstention threshold: choose, record, show
  cairn trace <traceId>            the spans of one answer, with durations
  cairn quarantine [list|release]  documents held back for prompt injection
  cairn usage [--days 7]           tokens and cost per tenant, model and day; budget standing
  cairn keys create|list|revoke    API keys per tenant and role (reader, writer, admin, operator)
  cairn config                     the effective configuration, secrets masked
  cairn eval <subcommand>          retrieval and answer evaluation, reports, judge checks
  cairn serve [--port 8787]        the HTTP API (search, ask with streaming, documents, traces)
  cairn mcp                        the index as an MCP server over stdio (search, fetch, ask)
  cairn worker                     runs upload jobs from the shared queue (Postgres index + Redis)

Run "cairn <command> --help" for options. Global: --config FILE, --debug (stack traces).
`;

/** Runs one CLI invocation and returns its exit code; errors become one clear line on stderr. */
export async function runCli(argv: string[], context: CommandContext): Promise<number> {
  const debug = argv.includes('--debug');
  const args = argv.filter((arg) => arg !== '--debug');
  const [command, ...rest] = args;
  try {
    switch (command) {
      case 'ingest':
        return await ingestCommand(rest, context);
      case 'search':
        return await searchCommand(rest, context);
      case 'ask':
        return await askCommand(rest, context);
      case 'calibrate':
        return await calibrateCommand(rest, context);
      case 'trace':
        return await traceCommand(rest, context);
      case 'quarantine':
        return await quarantineCommand(rest, context);
      case 'usage':
        return await usageCommand(rest, context);
      case 'keys':
        return await keysCommand(rest, context);
      case 'config':
        return await configCommand(rest, context);
      case 'eval':
        return await evalCommand(rest, context);
      case 'serve':
        return await serveCommand(rest, context);
      case 'mcp':
        return await mcpCommand(rest, context);
      case 'worker':
        return await workerCommand(rest, context);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        context.stdout.write(HELP);
        return command === undefined ? EXIT.usage : EXIT.ok;
      default: {
        const suggestion = closestMatch(command, commandsInHelp(HELP));
        context.stderr.write(
          suggestion
            ? `cairn: unknown command "${command}"; did you mean "cairn ${suggestion}"? See: cairn --help\n`
            : `cairn: unknown command "${command}"\n\n${HELP}`,
        );
        return EXIT.usage;
      }
    }
  } catch (error) {
    if (error instanceof CairnError) {
      context.stderr.write(`cairn: ${error.message}\n`);
      if (debug) context.stderr.write(`${error.stack}\n`);
      return exitCodeFor(error.code);
    }
    context.stderr.write(`cairn: unexpected error: ${(error as Error).message ?? String(error)}\n`);
    if (debug) context.stderr.write(`${(error as Error).stack}\n`);
    else context.stderr.write('Run again with --debug for the stack trace.\n');
    return EXIT.failure;
  }
}
