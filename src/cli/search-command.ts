import { openIndexStorage, search } from '../engine/index.ts';
import { DEFAULT_FUSION, type FusionOptions, type RetrievalMode } from '../retrieve/index.ts';
import { CairnError, type DocumentFormat, type MetadataFilter } from '../spec/index.ts';
import { closeStorage } from './close-index.ts';
import type { CommandContext } from './command-context.ts';
import { EXIT } from './exit-codes.ts';
import { formatResults } from './format-results.ts';
import { openTraceExporter } from './open-trace-exporter.ts';
import { choiceOption, integerOption, numberOption, parseOptions } from './parse-options.ts';
import { requireIndex } from './require-index.ts';

export const SEARCH_HELP = `Usage: cairn search "<query>" [options]

Options:
  --index FILE          index file (default: $CAIRN_INDEX or .cairn/index.db)
  --namespace NAME      tenant namespace (default: default)
  --mode MODE           hybrid | bm25 | dense (default: hybrid)
  -k, --top-k N         results to return (default: 10)
  --fusion METHOD       rrf | weighted (default: weighted)
  --rrf-k N             RRF constant (default: 60)
  --alpha X             dense weight for weighted fusion, 0..1 (default: 0.2)
  --mmr                 diversify with maximal marginal relevance
  --lambda X            MMR trade-off, 1 = relevance only (default: 0.7)
  --no-parents          return matched child chunks instead of their parent sections
  --filter KEY=VALUE    document metadata must equal VALUE (repeatable)
  --include-quarantined also search documents quarantined for prompt injection
  --source-prefix P     only documents whose source starts with P
  --doc ID              only this document id (repeatable)
  --format F            only this format: markdown|text|html|pdf|docx|beir (repeatable)
  --json                print {results, timings} as JSON
`;

const FORMATS: readonly DocumentFormat[] = ['markdown', 'text', 'html', 'pdf', 'docx', 'beir'];

/** `cairn search`: ranked chunks with source, score and snippet, or JSON. */
export async function searchCommand(args: string[], context: CommandContext): Promise<number> {
  const { values, positionals } = parseOptions('search', args, {
    index: { type: 'string' },
    namespace: { type: 'string' },
    mode: { type: 'string' },
    'top-k': { type: 'string', short: 'k' },
    fusion: { type: 'string' },
    'rrf-k': { type: 'string' },
    alpha: { type: 'string' },
    mmr: { type: 'boolean' },
    lambda: { type: 'string' },
    'no-parents': { type: 'boolean' },
    filter: { type: 'string', multiple: true },
    'source-prefix': { type: 'string' },
    doc: { type: 'string', multiple: true },
    format: { type: 'string', multiple: true },
    embedder: { type: 'string' },
    json: { type: 'boolean' },
    'include-quarantined': { type: 'boolean' },
    help: { type: 'boolean' },
  });
  if (values.help) {
    context.stdout.write(SEARCH_HELP);
    return EXIT.ok;
  }
  const query = positionals.join(' ').trim();
  if (query === '')
    throw new CairnError('invalid_option', 'cairn search needs a query. See: cairn search --help');
  const mode = choiceOption<RetrievalMode>('mode', values.mode, ['hybrid', 'bm25', 'dense'], 'hybrid');
  const fusionMethod = choiceOption<'rrf' | 'weighted'>(
    'fusion',
    values.fusion,
    ['rrf', 'weighted'],
    DEFAULT_FUSION.method,
  );
  const fusion: FusionOptions =
    fusionMethod === 'rrf'
      ? { method: 'rrf', k: integerOption('rrf-k', values['rrf-k'], 60) }
      : { method: 'weighted', alpha: numberOption('alpha', values.alpha, DEFAULT_FUSION.alpha, 0, 1) };
  const filter = filterFromFlags(values);
  const k = integerOption('top-k', values['top-k'], 10);
  const lambda = numberOption('lambda', values.lambda, 0.7, 0, 1);
  const { config } = context.config();
  const indexPath = values.index ?? config.index;
  requireIndex(indexPath);
  const opened = await openIndexStorage({
    indexPath,
    ...(values.embedder ? { embedder: values.embedder } : {}),
  });
  const { embedder } = opened;
  const { store } = opened.storage;
  const traceExporter = await openTraceExporter(config.telemetry, (line) => context.stderr.write(line));
  try {
    const { traceId: _traceId, ...output } = await search({
      store,
      embedder,
      query,
      mode,
      fusion,
      k,
      namespace: values.namespace ?? config.namespace,
      expandParents: !values['no-parents'],
      ...(values.mmr ? { mmr: { lambda } } : {}),
      ...(filter ? { filter } : {}),
      ...(values['include-quarantined'] ? { includeQuarantined: true } : {}),
      ...(traceExporter ? { traceExporter } : {}),
    });
    context.stdout.write(values.json ? `${JSON.stringify(output, null, 2)}\n` : formatResults(output));
    return EXIT.ok;
  } finally {
    await traceExporter?.shutdown();
    await closeStorage(opened);
  }
}

function filterFromFlags(values: {
  filter?: string[] | undefined;
  'source-prefix'?: string | undefined;
  doc?: string[] | undefined;
  format?: string[] | undefined;
}): MetadataFilter | undefined {
  const filter: MetadataFilter = {};
  if (values.filter) {
    filter.where = {};
    for (const pair of values.filter) {
      const separator = pair.indexOf('=');
      if (separator <= 0) throw new CairnError('invalid_option', `--filter expects KEY=VALUE, got "${pair}"`);
      filter.where[pair.slice(0, separator)] = coerce(pair.slice(separator + 1));
    }
  }
  if (values['source-prefix'] !== undefined) filter.sourcePrefix = values['source-prefix'];
  if (values.doc) filter.docIds = values.doc;
  if (values.format)
    filter.formats = values.format.map((format) => choiceOption('format', format, FORMATS, 'markdown'));
  return Object.keys(filter).length === 0 ? undefined : filter;
}

/** Metadata values are stored typed; `true`/`false` and plain numbers are matched as such. */
function coerce(value: string): string | number | boolean {
  if (value === 'true') return true;
  if (value === 'false') return false;
  if (/^-?\d+(\.\d+)?$/.test(value)) return Number(value);
  return value;
}
