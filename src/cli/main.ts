import { CairnError } from '../spec/index.ts';
import type { CommandContext } from './command-context.ts';
import { closestMatch, commandsInHelp } from './did-you-mean.ts';
import { EXIT, exitCodeFor } from './exit-codes.ts';

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

type Command = (args: string[], context: CommandContext) => Promise<number>;

// Each command's module is imported only when it runs: together they pull in the ingest loaders,
// the server, MCP and the queue clients, seconds of start-up that `cairn ask` or `--help` never use.
const COMMANDS: Record<string, () => Promise<Command>> = {
  ingest: async () => (await import('./ingest-command.ts')).ingestCommand,
  search: async () => (await import('./search-command.ts')).searchCommand,
  ask: async () => (await import('./ask-command.ts')).askCommand,
  calibrate: async () => (await import('./calibrate-command.ts')).calibrateCommand,
  trace: async () => (await import('./trace-command.ts')).traceCommand,
  quarantine: async () => (await import('./quarantine-command.ts')).quarantineCommand,
  usage: async () => (await import('./usage-command.ts')).usageCommand,
  keys: async () => (await import('./keys-command.ts')).keysCommand,
  config: async () => (await import('./config-command.ts')).configCommand,
  eval: async () => (await import('./eval-command.ts')).evalCommand,
  serve: async () => (await import('./serve-command.ts')).serveCommand,
  mcp: async () => (await import('./mcp-command.ts')).mcpCommand,
  worker: async () => (await import('./worker-command.ts')).workerCommand,
};

/** Runs one CLI invocation and returns its exit code; errors become one clear line on stderr. */
export async function runCli(argv: string[], context: CommandContext): Promise<number> {
  const debug = argv.includes('--debug');
  const args = argv.filter((arg) => arg !== '--debug');
  const [command, ...rest] = args;
  try {
    const load = command !== undefined && Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
    if (load) return await (await load())(rest, debug ? { ...context, debug } : context);
    switch (command) {
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
