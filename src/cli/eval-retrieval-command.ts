import path from 'node:path';
import { createEmbedder } from '../embed/index.ts';
import {
  chunkingFingerprint,
  ingestPath,
  ingestThreads,
  type OpenIndex,
  openIndex,
} from '../engine/index.ts';
import { evaluateRetrieval, loadBeirQuerySet } from '../evaluate/index.ts';
import { DEFAULT_FUSION, type FusionOptions, type RetrievalMode } from '../retrieve/index.ts';
import { CairnError, embedderId } from '../spec/index.ts';
import { isPostgresUrl, openPostgresStore, redactConnectionString } from '../store/postgres/index.ts';
import { CHUNKING_OPTIONS, chunkingFromFlags } from './chunking-options.ts';
import { closeEmbedder, closeIndex } from './close-index.ts';
import type { CommandContext } from './command-context.ts';
import { EXIT } from './exit-codes.ts';
import { choiceOption, integerOption, numberOption, parseOptions } from './parse-options.ts';
import { ProgressBar } from './progress-bar.ts';

export const EVAL_RETRIEVAL_HELP = `Usage: cairn eval retrieval --dataset DIR [options]

Ingests a BEIR dataset (corpus.jsonl, queries.jsonl, qrels/<split>.tsv) into a cached index,
runs every query of the split and prints nDCG@10, Recall@10, Recall@100, MRR@10 and MAP
(trec_eval definitions; documents rank by their best chunk).

Options:
  --dataset DIR         BEIR dataset folder (required)
  --split NAME          qrels split (default: test)
  --mode MODE           hybrid | bm25 | dense (default: hybrid)
  --fusion METHOD       rrf | weighted (default: weighted)
  --rrf-k N             RRF constant (default: 60)
  --alpha X             dense weight for weighted fusion (default: 0.2)
  --embedder SPEC       local | hashing[:dims] | openai-compatible:<model> (default: local)
  --chunker, --chunk-size, --chunk-overlap, --child-size   chunking (as for ingest)
  --cache-dir DIR       where cached eval indexes live (default: .cairn/eval)
  --store URL|FILE      evaluate on this store instead of a cached index: a postgres:// URL
                        (pgvector; the corpus is ingested into it) or a SQLite index file
  --ef-search N         Postgres: hnsw.ef_search floor (default: 40; always at least the depth)
  --exact               Postgres: exact vector search (sequential scan) instead of HNSW
  --per-query           include per-query metrics in --json output
  --json                print the metrics as JSON
`;

/** `cairn eval retrieval`: retrieval quality of the current pipeline on a BEIR dataset. */
export async function evalRetrievalCommand(args: string[], context: CommandContext): Promise<number> {
  const { values } = parseOptions('eval retrieval', args, {
    dataset: { type: 'string' },
    split: { type: 'string' },
    mode: { type: 'string' },
    fusion: { type: 'string' },
    'rrf-k': { type: 'string' },
    alpha: { type: 'string' },
    embedder: { type: 'string' },
    'cache-dir': { type: 'string' },
    store: { type: 'string' },
    'ef-search': { type: 'string' },
    exact: { type: 'boolean' },
    'per-query': { type: 'boolean' },
    json: { type: 'boolean' },
    help: { type: 'boolean' },
    ...CHUNKING_OPTIONS,
  });
  if (values.help) {
    context.stdout.write(EVAL_RETRIEVAL_HELP);
    return EXIT.ok;
  }
  if (!values.dataset) throw new CairnError('invalid_option', 'cairn eval retrieval needs --dataset DIR');
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
  const { config } = context.config();
  const chunking = chunkingFromFlags(values, config.chunking);
  const split = values.split ?? 'test';
  const querySet = loadBeirQuerySet(values.dataset, split);
  const embedderSpec = values.embedder ?? config.embedder.model;
  const cacheName = `${querySet.name}-${embedderSpec.replace(/[^A-Za-z0-9.-]+/g, '_')}-${chunkingFingerprint(chunking).replace(/\//g, '_')}.db`;
  const indexPath = values.store ?? path.join(values['cache-dir'] ?? path.join('.cairn', 'eval'), cacheName);
  const { store, embedder } = await openEvalStore(indexPath, embedderSpec, {
    ...(values['ef-search'] === undefined
      ? {}
      : { efSearch: integerOption('ef-search', values['ef-search'], 40) }),
    ...(values.exact ? { exact: true } : {}),
  });
  const indexLabel = isPostgresUrl(indexPath) ? redactConnectionString(indexPath) : indexPath;
  try {
    const ingestBar = new ProgressBar(context.stderr, `indexing ${querySet.name}`);
    const summary = await ingestPath({
      store,
      embedder,
      chunking,
      inputPath: querySet.corpusPath,
      onProgress: ({ processed }) => ingestBar.update(processed),
    });
    ingestBar.done();
    if (summary.failed.length > 0) {
      context.stderr.write(
        `${summary.failed.length} corpus records failed to load; first: ${summary.failed[0]?.path}: ${summary.failed[0]?.reason}\n`,
      );
    }
    const queryBar = new ProgressBar(context.stderr, 'querying', querySet.queries.length);
    const evaluation = await evaluateRetrieval({
      store,
      embedder,
      querySet,
      mode,
      fusion,
      onProgress: (done) => queryBar.update(done),
    });
    queryBar.done();
    const { perQuery, ...aggregate } = evaluation;
    const report = {
      ...aggregate,
      split,
      embedder: embedderId(embedder),
      chunking,
      ...(mode === 'hybrid' ? { fusion } : {}),
      index: indexLabel,
      indexedNow: summary.added + summary.updated,
      ...(values['per-query'] ? { perQuery } : {}),
    };
    if (values.json) {
      context.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    } else {
      const row = (name: string, value: number) => `  ${name.padEnd(12)} ${value.toFixed(4)}\n`;
      context.stdout.write(
        `${querySet.name} (${split}, ${evaluation.queries} queries), mode ${mode}, embedder ${embedderId(embedder)}\n` +
          row('nDCG@10', evaluation['ndcg@10']) +
          row('Recall@10', evaluation['recall@10']) +
          row('Recall@100', evaluation['recall@100']) +
          row('MRR@10', evaluation['mrr@10']) +
          row('MAP', evaluation.map) +
          `  mean latency ${evaluation.meanLatencyMs.toFixed(1)} ms/query; index ${indexLabel}\n`,
      );
    }
    return EXIT.ok;
  } finally {
    await closeIndex({ store, embedder });
  }
}

/**
 * The store an evaluation runs on: a Postgres store for a postgres:// URL (with the embedder
 * named on the command line), else a SQLite index file (created when missing).
 */
async function openEvalStore(
  indexPath: string,
  embedderSpec: string,
  postgres: { efSearch?: number; exact?: boolean },
): Promise<OpenIndex> {
  if (!isPostgresUrl(indexPath)) {
    return openIndex({
      indexPath,
      createDirectories: true,
      embedder: embedderSpec,
      endpoint: { threads: ingestThreads() },
    });
  }
  const embedder = createEmbedder(embedderSpec, { threads: ingestThreads() });
  try {
    const store = await openPostgresStore({
      connectionString: indexPath,
      embedder: { embedderId: embedderId(embedder), dimensions: embedder.dimensions },
      ...postgres,
    });
    return { store, embedder };
  } catch (error) {
    await closeEmbedder(embedder);
    throw error;
  }
}
