import type { Span, Trace } from '../spec/index.ts';
import { CairnError } from '../spec/index.ts';
import { openDomains } from '../store/open-storage.ts';
import type { CommandContext } from './command-context.ts';
import { EXIT } from './exit-codes.ts';
import { parseOptions } from './parse-options.ts';
import { requireIndex } from './require-index.ts';

export const TRACE_HELP = `Usage: cairn trace <traceId> [--json]   one answer's spans as a tree with durations
       cairn trace --list [--limit N]     recent traces
Options: --index FILE, --namespace NAME
`;

/** `cairn trace`: prints one stored trace as an indented tree, or lists recent traces. */
export async function traceCommand(args: string[], context: CommandContext): Promise<number> {
  const { values, positionals } = parseOptions('trace', args, {
    index: { type: 'string' },
    namespace: { type: 'string' },
    list: { type: 'boolean' },
    limit: { type: 'string' },
    json: { type: 'boolean' },
    help: { type: 'boolean' },
  });
  if (values.help) {
    context.stdout.write(TRACE_HELP);
    return EXIT.ok;
  }
  const { config } = context.config();
  const indexPath = values.index ?? config.index;
  requireIndex(indexPath);
  const namespace = values.namespace ?? config.namespace;
  const domains = await openDomains(indexPath);
  const store = domains.traces;
  try {
    if (values.list) {
      const traces = await store.listTraces(namespace, { limit: Number(values.limit ?? 20) });
      for (const trace of traces) {
        context.stdout.write(
          `${trace.traceId}  ${trace.startedAt}  ${trace.durationMs.toFixed(0).padStart(6)} ms  ${trace.label}\n`,
        );
      }
      return EXIT.ok;
    }
    const [traceId] = positionals;
    if (!traceId)
      throw new CairnError(
        'invalid_option',
        'cairn trace needs a trace id (or --list). See: cairn trace --help',
      );
    const trace = await store.getTrace(namespace, traceId);
    if (!trace)
      throw new CairnError('not_found', `no trace ${traceId} in namespace ${namespace} of ${indexPath}`);
    context.stdout.write(values.json ? `${JSON.stringify(trace, null, 2)}\n` : formatTrace(trace));
    return EXIT.ok;
  } finally {
    await domains.close();
  }
}

/** A trace as an indented tree: name, duration, and the attributes that matter. */
export function formatTrace(trace: Trace): string {
  const lines = [`trace ${trace.traceId}  ${trace.startedAt}  "${trace.label}"`];
  // A root's parent is null, or the caller's span when the request carried a traceparent.
  const ids = new Set(trace.spans.map((span) => span.spanId));
  const children = new Map<string | null, Span[]>();
  for (const span of trace.spans) {
    const parent = span.parentSpanId !== null && ids.has(span.parentSpanId) ? span.parentSpanId : null;
    children.set(parent, [...(children.get(parent) ?? []), span]);
  }
  const walk = (parent: string | null, depth: number) => {
    for (const span of (children.get(parent) ?? []).sort((a, b) => a.startMs - b.startMs)) {
      const offset = `+${span.startMs.toFixed(1)}`.padStart(8);
      const name = `${'  '.repeat(depth)}${span.name}`.padEnd(28);
      const status = span.status === 'error' ? '  ERROR' : '';
      lines.push(
        `${offset} ms  ${name}${span.durationMs.toFixed(1).padStart(8)} ms${status}  ${describe(span)}`,
      );
      walk(span.spanId, depth + 1);
    }
  };
  walk(null, 0);
  return `${lines.join('\n')}\n`;
}

function describe(span: Span): string {
  const a = span.attributes;
  const pairs = Object.entries(a)
    .filter(([key]) => !['chunkIds'].includes(key))
    .map(
      ([key, value]) =>
        `${key}=${Array.isArray(value) ? `[${value.slice(0, 6).join(', ')}${value.length > 6 ? ', …' : ''}]` : String(value)}`,
    );
  return pairs.join(' ');
}
