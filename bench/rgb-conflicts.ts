/**
 * Conflicting sources without metadata, on RGB's counterfactual set (../shared/bench-data/rgb/
 * en_fact.jsonl, 100 items). Each item becomes one small corpus: its `positive`, `positive_wrong`
 * and `negative` passages as separate documents, ingested through the real ingest path with the
 * default configuration (local embedder, structure chunker) into one in-memory index, a namespace
 * per item; its `query` is asked with the default offline pipeline (hybrid retrieval, extractive
 * answerer). The same items are also asked over `positive` + `negative` only, where any conflict
 * flag is a false one. Each is answered twice: with conflict detection off (today's behaviour
 * before it existed) and on.
 *
 * Per item: conflict flagged (the answer says the sources disagree), true value stated, fake value
 * stated, and a value stated as fact (true or fake in the answer, no flag). Items 0-49 are dev
 * (the detector's rules were tuned on them), 50-99 test (reported, never used for tuning).
 *
 *   npx tsx bench/rgb-conflicts.ts [--split dev|test|all] [--limit N] [--conflict-depth N] [--verbose]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config/index.ts';
import { ask, ingestPath, ingestThreads, openIndex } from '../src/engine/index.ts';
import { createExtractiveAnswerer } from '../src/generate/extractive-answerer.ts';
import { CONFLICT_NOTE_PREFIX } from '../src/guard/index.ts';
import { ROOT } from './lib/field-guide.ts';
import { fixed, markdownTable } from './lib/markdown-table.ts';
import { BENCH_DATA } from './lib/shared-data.ts';

interface RgbItem {
  id: number;
  query: string;
  answer: string | (string | string[])[];
  fakeanswer: string | string[];
  positive: string[];
  positive_wrong: string[];
  negative: string[];
}

interface Outcome {
  flagged: boolean;
  field: boolean;
  trueStated: boolean;
  fakeStated: boolean;
  abstained: boolean;
  /** Both a true and a fake passage were among the passages the answerer saw. */
  bothRetrieved: boolean;
}

const { values } = parseArgs({
  options: {
    split: { type: 'string', default: 'all' },
    limit: { type: 'string' },
    verbose: { type: 'boolean', default: false },
    'conflict-depth': { type: 'string' },
  },
});
const file = path.join(BENCH_DATA, 'rgb', 'en_fact.jsonl');
if (!fs.existsSync(file)) {
  process.stderr.write(
    `RGB not found at ${file}: benchmarks read ../shared/bench-data from the project root.\n`,
  );
  process.exit(2);
}
const all = fs
  .readFileSync(file, 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line) => JSON.parse(line) as RgbItem);
const splitOf = (index: number) => (index < 50 ? 'dev' : 'test');
const chosen = all
  .map((item, index) => ({ item, split: splitOf(index) }))
  .filter(({ split }) => values.split === 'all' || split === values.split)
  .slice(0, values.limit ? Number(values.limit) : undefined);

const { config } = loadConfig({ cwd: ROOT, env: {} });
const { store, embedder } = openIndex({ indexPath: ':memory:', endpoint: { threads: ingestThreads() } });
const answerer = createExtractiveAnswerer({ embedder, maxSentences: config.answerer.maxSentences });
const retrieval = {
  mode: config.retrieval.mode,
  k: config.retrieval.k,
  fusion: config.retrieval.fusion,
  conflictDepth: values['conflict-depth'] ? Number(values['conflict-depth']) : config.retrieval.conflictDepth,
};
const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-rgb-'));

/** Every way an answer may write a value, lower-cased (RGB answers may list alternatives). */
function spellings(value: RgbItem['answer'] | RgbItem['fakeanswer']): string[] {
  const flat = (Array.isArray(value) ? value.flat(2) : [value]) as string[];
  return flat.map((text) => text.toLowerCase().trim()).filter((text) => text !== '');
}

const results: { split: string; corpus: 'both' | 'consistent'; detect: boolean; outcome: Outcome }[] = [];
const started = performance.now();
for (const [index, { item, split }] of chosen.entries()) {
  for (const corpus of ['both', 'consistent'] as const) {
    const namespace = `rgb-${item.id}-${corpus}`;
    const dir = path.join(temp, namespace);
    fs.mkdirSync(dir);
    const passages =
      corpus === 'both'
        ? [...item.positive, ...item.positive_wrong, ...item.negative]
        : [...item.positive, ...item.negative];
    passages.forEach((text, n) => {
      fs.writeFileSync(path.join(dir, `passage-${String(n).padStart(2, '0')}.txt`), `${text}\n`);
    });
    await ingestPath({ store, embedder, chunking: config.chunking, inputPath: dir, namespace });
    for (const detect of [false, true]) {
      const result = await ask({
        store,
        embedder,
        answerer,
        question: item.query,
        namespace,
        retrieval,
        detectConflicts: detect,
      });
      const answer = result.answer.toLowerCase();
      // The answer's own top k: passages added for a conflict found deeper do not count here.
      const seen = result.passages
        .slice(0, retrieval.k)
        .map((passage) => Number(/passage-(\d+)/.exec(passage.docId)?.[1]));
      const trueCount = item.positive.length;
      const bothRetrieved =
        corpus === 'both' &&
        seen.some((n) => n < trueCount) &&
        seen.some((n) => n >= trueCount && n < trueCount + item.positive_wrong.length);
      const wrongFlag = corpus === 'consistent' && result.conflicts.length > 0;
      const missed = corpus === 'both' && detect && result.conflicts.length === 0;
      if (values.verbose && detect && (wrongFlag || missed)) {
        process.stderr.write(
          `${wrongFlag ? 'FALSE FLAG' : 'MISSED'} ${item.id} ${item.query}\n  ${result.answer.slice(0, 400)}\n`,
        );
      }
      results.push({
        split,
        corpus,
        detect,
        outcome: {
          // Before detection existed, any wording of a disagreement counts as a flag.
          flagged: detect
            ? result.answer.includes(CONFLICT_NOTE_PREFIX)
            : /disagree|conflict|contradict|inconsisten/i.test(result.answer),
          field: result.conflicts.length > 0,
          trueStated: !result.abstained && spellings(item.answer).some((text) => answer.includes(text)),
          fakeStated: !result.abstained && spellings(item.fakeanswer).some((text) => answer.includes(text)),
          abstained: result.abstained,
          bothRetrieved,
        },
      });
    }
  }
  if ((index + 1) % 10 === 0) process.stderr.write(`${index + 1}/${chosen.length} items\n`);
}
await store.close();
fs.rmSync(temp, { recursive: true, force: true });

const rows: (string | number)[][] = [];
for (const split of ['dev', 'test']) {
  for (const corpus of ['both', 'consistent'] as const) {
    for (const detect of [false, true]) {
      const group = results.filter((r) => r.split === split && r.corpus === corpus && r.detect === detect);
      if (group.length === 0) continue;
      const count = (test: (o: Outcome) => boolean) => group.filter((r) => test(r.outcome)).length;
      const share = (n: number) => `${n}/${group.length} (${fixed((100 * n) / group.length, 0)}%)`;
      rows.push([
        split,
        corpus === 'both' ? 'true + fake + negative' : 'true + negative',
        detect ? 'after (detection on)' : 'before (off)',
        share(count((o) => o.flagged)),
        detect ? share(count((o) => o.field)) : '—',
        share(count((o) => o.trueStated)),
        share(count((o) => o.fakeStated)),
        share(count((o) => (o.trueStated || o.fakeStated) && !o.flagged)),
        share(count((o) => o.abstained)),
        corpus === 'both' ? share(count((o) => o.bothRetrieved)) : '—',
        corpus === 'both' && detect
          ? `${count((o) => o.bothRetrieved && o.flagged)}/${count((o) => o.bothRetrieved)}`
          : '—',
      ]);
    }
  }
}
console.log(
  `\nRGB en_fact, ${chosen.length} items (dev = items 0-49, test = 50-99), default offline pipeline (embedder ${embedder.modelId}, ${config.retrieval.mode} k=${config.retrieval.k}, conflict depth ${retrieval.conflictDepth}, extractive), ${fixed((performance.now() - started) / 1000, 0)} s\n`,
);
console.log(
  markdownTable(
    [
      'split',
      'corpus',
      'run',
      'conflict flagged in answer',
      '`conflicts` non-empty',
      'true value stated',
      'fake value stated',
      'a value stated without flag',
      'abstained',
      'both versions in top k',
      'flagged when both in top k',
    ],
    rows,
  ),
);
console.log('\n  npx tsx bench/rgb-conflicts.ts');
