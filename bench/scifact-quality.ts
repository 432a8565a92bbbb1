/**
 * SciFact retrieval quality: nDCG@10 (and friends) for bm25, dense and hybrid, next to the
 * published numbers in ../shared/bench-data/PUBLISHED.md. Fusion parameters are tuned on the
 * SciFact *train* split only and then reported on the *test* split.
 *
 *   npx tsx bench/scifact-quality.ts [--embedder local] [--chunker structure] [--chunk-size 256]
 *
 * With `--answers` it measures the extractive answerer instead, on the claims of `--split`
 * (train for choosing weights, test for reporting): the share of answers whose first sentence is
 * a labelled rationale sentence and the share of answer sentences from abstracts not relevant to
 * the claim, answering every claim (`--abstain` also reports the default abstention).
 * `--tune` compares selection weights (on train only); `--answerer-module FILE` measures another
 * build of `createExtractiveAnswerer` (an older copy, for before/after).
 *
 *   npx tsx bench/scifact-quality.ts --answers --embedder hashing --mode bm25 --split test
 *
 * `--store postgres://…` runs the same figures on the Postgres store (pgvector) instead of the
 * cached SQLite index; `--store pglite` starts PGlite with pgvector on a local port first and
 * connects to it over the wire. `--vectors-from-sqlite` gives the Postgres store the chunk vectors
 * of the SQLite bench index (same embedder and chunking) instead of embedding the corpus again,
 * so the two stores rank the very same vectors. `--ef-search N`, `--exact`: HNSW settings.
 *
 *   npx tsx bench/scifact-quality.ts --no-tune --store pglite --vectors-from-sqlite
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { type ChunkingConfig, DEFAULT_CHUNKING } from '../src/chunk/index.ts';
import { createEmbedder, embedMany } from '../src/embed/index.ts';
import { chunkingFingerprint, ingestPath, ingestThreads, openIndex } from '../src/engine/index.ts';
import {
  type BeirQuerySet,
  evaluateRetrieval,
  loadBeirQuerySet,
  type RetrievalEvaluation,
} from '../src/evaluate/index.ts';
import type { SelectionWeights } from '../src/generate/contextual-extractive-answerer.ts';
import { DEFAULT_ABSTAIN_THRESHOLD } from '../src/generate/extractive-answerer.ts';
import { DEFAULT_FUSION, type FusionOptions, type RetrievalMode } from '../src/retrieve/index.ts';
import { type EmbeddingModel, embedderId, type Store } from '../src/spec/index.ts';
import { openPostgresStore, redactConnectionString } from '../src/store/postgres/index.ts';
import { openSqliteStore, searchableText } from '../src/store/sqlite/index.ts';
import { startPgliteServer } from '../src/testing/start-pglite-server.ts';
import { fixed, markdownTable } from './lib/markdown-table.ts';
import {
  cachingEmbedder,
  loadAnswererFactory,
  prepareClaims,
  readAbstractSentences,
  scoreAnswers,
} from './lib/scifact-answers.ts';
import { RESULTS_DIR, scifactDir } from './lib/shared-data.ts';

const { values } = parseArgs({
  options: {
    embedder: { type: 'string', default: 'local' },
    chunker: { type: 'string', default: DEFAULT_CHUNKING.strategy },
    'chunk-size': { type: 'string', default: String(DEFAULT_CHUNKING.maxTokens) },
    'chunk-overlap': { type: 'string', default: String(DEFAULT_CHUNKING.overlapTokens) },
    'child-size': { type: 'string', default: String(DEFAULT_CHUNKING.childMaxTokens) },
    'no-tune': { type: 'boolean', default: false },
    answers: { type: 'boolean', default: false },
    split: { type: 'string', default: 'test' },
    mode: { type: 'string', default: 'hybrid' },
    k: { type: 'string', default: '6' },
    limit: { type: 'string' },
    tune: { type: 'boolean', default: false },
    abstain: { type: 'boolean', default: false },
    'answerer-module': { type: 'string' },
    store: { type: 'string' },
    'vectors-from-sqlite': { type: 'boolean', default: false },
    'ef-search': { type: 'string' },
    exact: { type: 'boolean', default: false },
  },
});

const chunking: ChunkingConfig = {
  strategy: values.chunker as ChunkingConfig['strategy'],
  maxTokens: Number(values['chunk-size']),
  overlapTokens: Number(values['chunk-overlap']),
  childMaxTokens: Number(values['child-size']),
};

const dataset = scifactDir();
const test = loadBeirQuerySet(dataset, 'test');
const train = loadBeirQuerySet(dataset, 'train');
const indexPath = path.join(
  RESULTS_DIR,
  `scifact-${values.embedder.replace(/[^A-Za-z0-9.-]+/g, '_')}-${chunkingFingerprint(chunking).replace(/\//g, '_')}.db`,
);
const pglite = values.store === 'pglite' ? await startPgliteServer() : undefined;
const storeUrl = pglite?.url ?? values.store;
const { store, embedder, ingestEmbedder } = storeUrl
  ? await openPostgresBench(storeUrl)
  : {
      ...openIndex({
        indexPath,
        createDirectories: true,
        embedder: values.embedder,
        endpoint: { threads: ingestThreads() },
      }),
      ingestEmbedder: undefined,
    };
const storeLabel = storeUrl ? `${store.provider} ${redactConnectionString(storeUrl)}` : indexPath;

const ingest = await ingestPath({
  store,
  embedder: ingestEmbedder ?? embedder,
  chunking,
  inputPath: test.corpusPath,
});
process.stderr.write(
  `index ${storeLabel}: ${ingest.added + ingest.updated} documents embedded now, ${ingest.unchanged} reused ` +
    `(${(ingest.totalMs / 1000).toFixed(1)} s)\n`,
);
await pglite?.analyze();

if (values.answers) {
  await answerBench();
  await store.close();
  await pglite?.close();
  process.exit(0);
}

const embedQueries = async (set: BeirQuerySet) => {
  const { embeddings } = await embedMany(
    embedder,
    set.queries.map((query) => query.text),
  );
  return new Map(set.queries.map((query, index) => [query.id, embeddings[index] as Float32Array]));
};
const testVectors = await embedQueries(test);

const run = (
  set: BeirQuerySet,
  vectors: Map<string, Float32Array>,
  mode: RetrievalMode,
  fusion?: FusionOptions,
) =>
  evaluateRetrieval({
    store,
    embedder,
    querySet: set,
    mode,
    queryEmbeddings: vectors,
    ...(fusion ? { fusion } : {}),
  });

const rows: { name: string; result: RetrievalEvaluation; note: string }[] = [];
rows.push({
  name: storeUrl ? 'cairn bm25 (Postgres, BM25 tables, porter)' : 'cairn bm25 (FTS5, porter)',
  result: await run(test, testVectors, 'bm25'),
  note: '',
});
rows.push({
  name: `cairn dense (${embedderId(embedder)})`,
  result: await run(test, testVectors, 'dense'),
  note: '',
});
rows.push({
  name: `cairn hybrid, ${describeFusion(DEFAULT_FUSION)} (default)`,
  result: await run(test, testVectors, 'hybrid', DEFAULT_FUSION),
  note: 'default, chosen on train by bench/chunking-sweep.ts',
});
rows.push({
  name: 'cairn hybrid, RRF k=60',
  result: await run(test, testVectors, 'hybrid', { method: 'rrf', k: 60 }),
  note: 'textbook RRF, for reference',
});

if (!values['no-tune']) {
  const trainVectors = await embedQueries(train);
  const tuned = await tuneOnTrain(store, embedder, train, trainVectors);
  for (const { fusion, trainScore } of tuned) {
    rows.push({
      name: `cairn hybrid, ${describeFusion(fusion)}`,
      result: await run(test, testVectors, 'hybrid', fusion),
      note: `tuned on train (train nDCG@10 ${trainScore.toFixed(3)})`,
    });
  }
}
await store.close();
await pglite?.close();

const published: [string, number][] = [
  ['BM25, BEIR paper', 0.665],
  ['BM25, Anserini flat (Lucene, Porter)', 0.6789],
  ['BM25, Anserini multifield', 0.6647],
  ['all-MiniLM-L6-v2 (MTEB)', 0.6451],
  ['bge-small-en-v1.5 (MTEB)', 0.7127],
];

console.log(
  `\nSciFact test (${test.queries.length} queries), chunking ${chunkingFingerprint(chunking)}, store ${storeLabel}\n`,
);
console.log(
  markdownTable(
    ['system', 'nDCG@10', 'Recall@10', 'Recall@100', 'MRR@10', 'MAP', 'ms/query', 'note'],
    [
      ...rows.map(({ name, result, note }) => [
        name,
        fixed(result['ndcg@10']),
        fixed(result['recall@10']),
        fixed(result['recall@100']),
        fixed(result['mrr@10']),
        fixed(result.map),
        fixed(result.meanLatencyMs, 1),
        note,
      ]),
      ...published.map(([name, ndcg]) => [
        `${name} (published)`,
        fixed(ndcg, 4),
        '',
        '',
        '',
        '',
        '',
        'PUBLISHED.md',
      ]),
    ],
  ),
);

/** Grid-searches fusion settings on the train split; returns the best RRF and best weighted setting. */
async function tuneOnTrain(
  store: Store,
  embedder: EmbeddingModel,
  set: BeirQuerySet,
  vectors: Map<string, Float32Array>,
): Promise<{ fusion: FusionOptions; trainScore: number }[]> {
  const candidates: FusionOptions[] = [];
  for (const k of [10, 30, 60]) {
    for (const dense of [0.25, 0.5, 0.75, 1, 1.5])
      candidates.push({ method: 'rrf', k, weights: { bm25: 1, dense } });
  }
  for (const alpha of [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7]) candidates.push({ method: 'weighted', alpha });
  let bestRrf: { fusion: FusionOptions; trainScore: number } | undefined;
  let bestWeighted: { fusion: FusionOptions; trainScore: number } | undefined;
  for (const fusion of candidates) {
    const result = await evaluateRetrieval({
      store,
      embedder,
      querySet: set,
      mode: 'hybrid',
      fusion,
      queryEmbeddings: vectors,
    });
    const scored = { fusion, trainScore: result['ndcg@10'] };
    process.stderr.write(`train ${describeFusion(fusion)}: ${result['ndcg@10'].toFixed(4)}\n`);
    if (fusion.method === 'rrf' && (!bestRrf || scored.trainScore > bestRrf.trainScore)) bestRrf = scored;
    if (fusion.method === 'weighted' && (!bestWeighted || scored.trainScore > bestWeighted.trainScore))
      bestWeighted = scored;
  }
  return [bestRrf, bestWeighted].filter((entry) => entry !== undefined);
}

/** The `--answers` run: extractive answer figures on one split's claims. */
async function answerBench(): Promise<void> {
  if (values.tune && values.split !== 'train') {
    process.stderr.write('--tune only runs on --split train: weights are never chosen on test\n');
    process.exit(2);
  }
  const set = values.split === 'train' ? train : test;
  const answerEmbedder = cachingEmbedder(createEmbedder('local', { threads: ingestThreads() }));
  const cases = await prepareClaims({
    store,
    embedder,
    set,
    datasetDir: dataset,
    mode: values.mode as RetrievalMode,
    k: Number(values.k),
    ...(values.limit ? { limit: Number(values.limit) } : {}),
  });
  const sentencesByDoc = readAbstractSentences(
    path.join(dataset, 'extras', 'abstract_sentences.jsonl'),
    new Set(cases.flatMap((item) => item.passages.map((passage) => passage.docId))),
  );
  const factory = await loadAnswererFactory(values['answerer-module']);
  const settings: { name: string; weights?: Partial<SelectionWeights>; abstainThreshold?: number }[] = [
    { name: values['answerer-module'] ? `answerer from ${values['answerer-module']}` : 'default weights' },
  ];
  if (values.abstain)
    settings.push({
      ...settings[0],
      name: `${settings[0]?.name}, default abstention`,
      abstainThreshold: DEFAULT_ABSTAIN_THRESHOLD,
    });
  if (values.tune) {
    for (const promote of [0.5, 0.6, 0.7, 2])
      for (const aim of [0, 0.1])
        settings.push({ name: `promote ${promote} aim ${aim}`, weights: { promote, aim } });
    for (const finding of [0, 0.08]) settings.push({ name: `finding ${finding}`, weights: { finding } });
    for (const otherDocument of [0.75, 0.85, 0.9, 0.95])
      settings.push({ name: `otherDocument ${otherDocument}`, weights: { otherDocument } });
    for (const context of [0, 0.1, 0.3]) settings.push({ name: `context ${context}`, weights: { context } });
    settings.push({
      name: 'no preferences',
      weights: {
        promote: 2,
        aim: 0,
        finding: 0,
        method: 0,
        value: 0,
        code: 0,
        otherDocument: 0.75,
        context: 0,
      },
    });
  }
  const rows: string[][] = [];
  for (const setting of settings) {
    const figures = await scoreAnswers({
      cases,
      sentencesByDoc,
      embedder: answerEmbedder,
      factory,
      ...(setting.weights ? { weights: setting.weights } : {}),
      ...(setting.abstainThreshold === undefined ? {} : { abstainThreshold: setting.abstainThreshold }),
    });
    const share = (part: number, whole: number) => `${fixed(part / Math.max(1, whole))} (${part}/${whole})`;
    rows.push([
      setting.name,
      String(figures.answered),
      share(figures.firstIsRationale, figures.answered),
      share(figures.firstIsAimOrBackground, figures.answered),
      share(figures.unrelatedSentences, figures.sentences),
      fixed(figures.sentences / Math.max(1, figures.answered), 2),
    ]);
    process.stderr.write(`${rows.at(-1)?.join(' | ')}\n`);
  }
  console.log(
    `\nSciFact ${values.split} claims (${cases.length}), ${values.mode} top-${values.k} over ${embedderId(embedder)}, extractive answerer on local USE-lite\n`,
  );
  console.log(
    markdownTable(
      [
        'setting',
        'answered',
        'first sentence is rationale',
        'first sentence aim/background/method',
        'sentences from unrelated abstracts',
        'sentences/answer',
      ],
      rows,
    ),
  );
}

function describeFusion(fusion: FusionOptions): string {
  if (fusion.method === 'weighted') return `weighted alpha=${fusion.alpha}`;
  const weights = fusion.weights ? ` bm25:dense=${fusion.weights.bm25}:${fusion.weights.dense}` : '';
  return `RRF k=${fusion.k ?? 60}${weights}`;
}

/** The Postgres store of a `--store` run, and the embedder that fills it. */
async function openPostgresBench(
  url: string,
): Promise<{ store: Store; embedder: EmbeddingModel; ingestEmbedder: EmbeddingModel }> {
  const model = createEmbedder(values.embedder, { threads: ingestThreads() });
  const store = await openPostgresStore({
    connectionString: url,
    embedder: { embedderId: embedderId(model), dimensions: model.dimensions },
    ...(values['ef-search'] ? { efSearch: Number(values['ef-search']) } : {}),
    ...(values.exact ? { exact: true } : {}),
  });
  const ingestEmbedder = values['vectors-from-sqlite'] ? await reuseIndexVectors(model, indexPath) : model;
  return { store, embedder: model, ingestEmbedder };
}

/**
 * An embedder that answers from the chunk vectors of an existing SQLite index (keyed by the text
 * that was embedded) and asks `model` only for texts the index does not hold.
 */
async function reuseIndexVectors(model: EmbeddingModel, file: string): Promise<EmbeddingModel> {
  const source = openSqliteStore({
    path: file,
    embedder: { embedderId: embedderId(model), dimensions: model.dimensions },
    readonly: true,
  });
  const byText = new Map<string, Float32Array>();
  for (const document of await source.listDocuments('default')) {
    const ids = Array.from({ length: document.chunkCount * 2 + 1 }, (_, i) => `${document.id}#${i}`);
    const chunks = (await source.getChunks('default', ids)).filter((chunk) => chunk.role !== 'parent');
    const vectors = await source.getEmbeddings(
      'default',
      chunks.map((chunk) => chunk.id),
    );
    for (const chunk of chunks) {
      const vector = vectors.get(chunk.id);
      if (vector) byText.set(searchableText(chunk.title, chunk), vector);
    }
  }
  await source.close();
  process.stderr.write(`reusing ${byText.size} chunk vectors of ${file}\n`);
  let embedded = 0;
  return {
    ...model,
    async doEmbed(options) {
      const missing = [...new Set(options.values.filter((value) => !byText.has(value)))];
      if (missing.length > 0) {
        embedded += missing.length;
        const result = await model.doEmbed({ ...options, values: missing });
        missing.forEach((value, index) => {
          byText.set(value, result.embeddings[index] as Float32Array);
        });
        process.stderr.write(`embedded ${embedded} texts the index did not hold\n`);
      }
      return { embeddings: options.values.map((value) => byText.get(value) as Float32Array) };
    },
  };
}
