/**
 * Answer cache on a replayed query log: every golden question of a split, a hand-written
 * paraphrase of 32 of them (corpus/paraphrases.jsonl) and exact repeats of 30% of them, shuffled
 * (seeded) and asked in turn through the default pipeline (field guide, local embedder,
 * extractive answerer) with a fresh cache per setting. Reports the hit rate by kind, the latency
 * of hits and misses, and quality: an answer is correct when it cites a relevant document (or
 * abstains on an out-of-scope item), and a cached answer made for a different golden question
 * always counts as wrong. The threshold is chosen on dev; test is reported.
 *
 *   npx tsx bench/answer-cache.ts [--split dev|test|both] [--seed 5]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createAnswerCache } from '../src/cache/index.ts';
import { type AskResult, ask } from '../src/engine/index.ts';
import { seededRandom } from '../src/evaluate/compare/seeded-random.ts';
import { type GoldenItem, loadGoldenSet, mustAbstain } from '../src/evaluate/index.ts';
import { createExtractiveAnswerer } from '../src/generate/extractive-answerer.ts';
import { openSqliteAnswerCache } from '../src/store/sqlite/index.ts';
import { openFieldGuide, ROOT } from './lib/field-guide.ts';
import { markdownTable, percentile } from './lib/markdown-table.ts';

const { values } = parseArgs({
  options: { split: { type: 'string', default: 'both' }, seed: { type: 'string', default: '5' } },
});
const { config, store, embedder, retrieval } = await openFieldGuide();
// Each setting gets its own cache file here.
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-cache-bench-'));
const answerer = createExtractiveAnswerer({ embedder, maxSentences: config.answerer.maxSentences });
await ask({ store, embedder, answerer, question: 'warm up', retrieval });

const paraphrases = fs
  .readFileSync(path.join(ROOT, 'corpus', 'paraphrases.jsonl'), 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line) => JSON.parse(line) as { paraphrase_of: string; question: string; split: string });

interface LogEntry {
  question: string;
  item: GoldenItem;
  kind: 'original' | 'paraphrase' | 'repeat';
}

function replayLog(split: 'dev' | 'test'): LogEntry[] {
  const random = seededRandom(Number(values.seed));
  const items = loadGoldenSet(path.join(ROOT, 'corpus', 'golden.jsonl'), split);
  const byId = new Map(items.map((item) => [item.id, item]));
  const log: LogEntry[] = items.map((item) => ({ question: item.question, item, kind: 'original' }));
  for (const p of paraphrases.filter((p) => p.split === split)) {
    log.push({ question: p.question, item: byId.get(p.paraphrase_of) as GoldenItem, kind: 'paraphrase' });
  }
  for (const item of items) if (random() < 0.3) log.push({ question: item.question, item, kind: 'repeat' });
  for (let i = log.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [log[i], log[j]] = [log[j] as LogEntry, log[i] as LogEntry];
  }
  return log;
}

const correct = (item: GoldenItem, result: AskResult) =>
  mustAbstain(item)
    ? result.abstained
    : !result.abstained &&
      result.citations.some((citation) => item.relevant_doc_ids.includes(citation.docId));

async function replay(split: 'dev' | 'test', similarity: number | null | 'off') {
  const log = replayLog(split);
  // A fresh cache file per setting, so no setting sees another's answers.
  const cache =
    similarity === 'off'
      ? undefined
      : createAnswerCache(openSqliteAnswerCache(path.join(dir, `cache-${split}-${similarity}.db`)));
  // Which golden item each cached question came from, to spot answers served to another question.
  const origin = new Map<string, string>();
  for (const entry of log) origin.set(entry.question, entry.item.id);
  const rows: { ms: number; hit?: 'exact' | 'semantic'; ok: boolean; wrongSource: boolean }[] = [];
  for (const entry of log) {
    const started = performance.now();
    const result = await ask({
      store,
      embedder,
      answerer,
      question: entry.question,
      retrieval,
      ...(cache
        ? { cache: { cache, ...(typeof similarity === 'number' ? { semanticSimilarity: similarity } : {}) } }
        : {}),
    });
    const ms = performance.now() - started;
    const wrongSource =
      result.cache !== undefined && origin.get(result.cache.cachedQuestion) !== entry.item.id;
    rows.push({
      ms,
      ...(result.cache ? { hit: result.cache.hit } : {}),
      ok: !wrongSource && correct(entry.item, result),
      wrongSource,
    });
  }
  await cache?.close();
  const p50 = (kind: 'exact' | 'semantic' | undefined) => {
    const ms = rows.filter((row) => row.hit === kind).map((row) => row.ms);
    return ms.length ? percentile(ms, 50).toFixed(1) : '—';
  };
  const pct = (n: number) => `${((100 * n) / rows.length).toFixed(1)}%`;
  return [
    similarity === 'off'
      ? 'no cache'
      : similarity === null
        ? 'exact only'
        : `exact + semantic ≥ ${similarity}`,
    rows.length,
    pct(rows.filter((row) => row.hit === 'exact').length),
    pct(rows.filter((row) => row.hit === 'semantic').length),
    rows.filter((row) => row.wrongSource).length,
    pct(rows.filter((row) => row.ok).length),
    p50('exact'),
    p50('semantic'),
    p50(undefined),
  ];
}

const splits = values.split === 'both' ? (['dev', 'test'] as const) : [values.split as 'dev' | 'test'];
for (const split of splits) {
  const rows = [];
  for (const setting of ['off', null, 0.95, 0.9, 0.85, 0.8, 0.75, 0.7] as const)
    rows.push(await replay(split, setting));
  console.log(`\n${split} split replay log\n`);
  console.log(
    markdownTable(
      [
        'setting',
        'questions',
        'exact hits',
        'semantic hits',
        'answers from another question',
        'correct',
        'exact hit p50 ms',
        'semantic hit p50 ms',
        'miss p50 ms',
      ],
      rows,
    ),
  );
}
await store.close();
fs.rmSync(dir, { recursive: true, force: true });
