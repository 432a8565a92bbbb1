/**
 * Does abstention transfer to corpora it was not tuned on? For each corpus the index calibrates
 * itself (`calibrateAbstention`: held-out probe questions derived from its own documents), then
 * questions whose documents were removed must abstain and questions whose documents are present
 * must be answered. "before" is the fixed threshold 0.46 (tuned on the field guide's dev split);
 * "calibrated" uses the index's threshold; "after" adds the unanswerable-terms check.
 *
 *   npx tsx bench/abstention-transfer.ts [--split test|dev] [--scifact-docs 1200] [--vitest-pages 223]
 *     [--max-questions 120] [--only scifact,vitest,field-guide]
 *
 * `--max-questions` caps each group (must abstain, must answer) of a corpus by a seeded sample.
 *
 * (a) SciFact: a seeded 200 of the abstracts relevant to the split's claims are left out of the
 *     index, plus a seeded sample of other abstracts up to --scifact-docs in all (for speed);
 *     claims whose every relevant abstract is out must abstain, claims whose every relevant
 *     abstract is in must be answered. `--split dev` uses the train claims and qrels.
 * (b) Vitest docs: the relevant pages of a seeded half of the golden set's in-scope items of the
 *     split are left out; those items must abstain, the others be answered, and the split's
 *     out-of-scope items abstain.
 * (c) The field guide (our own writing; 0.46 was tuned on its dev split) with its golden split.
 * Indexes are built in the system's temporary folder; no corpus text is written into the repo.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config/index.ts';
import { needsCalibration, readCalibration } from '../src/engine/abstention-calibration.ts';
import { calibrateAbstention } from '../src/engine/calibrate.ts';
import { ask, ingestPath, ingestThreads, openIndex } from '../src/engine/index.ts';
import { findUnanswerableTerms } from '../src/engine/unanswerable-terms.ts';
import { seededRandom } from '../src/evaluate/compare/seeded-random.ts';
import { loadGoldenSet, mustAbstain } from '../src/evaluate/index.ts';
import { createExtractiveAnswerer, DEFAULT_ABSTAIN_THRESHOLD } from '../src/generate/extractive-answerer.ts';
import type { EmbeddingModel, Store } from '../src/spec/index.ts';
import { ROOT } from './lib/field-guide.ts';
import { fixed, markdownTable } from './lib/markdown-table.ts';
import { scifactDir } from './lib/shared-data.ts';

const { values } = parseArgs({
  options: {
    split: { type: 'string', default: 'test' },
    'scifact-docs': { type: 'string', default: '1200' },
    'held-out': { type: 'string', default: '200' },
    'max-questions': { type: 'string', default: '120' },
    'vitest-pages': { type: 'string', default: '223' },
    only: { type: 'string', default: 'scifact,vitest,field-guide' },
    seed: { type: 'string', default: '7' },
  },
});
const split = values.split === 'dev' ? 'dev' : 'test';
const seed = Number(values.seed);
const parts = new Set((values.only ?? '').split(','));
const { config } = loadConfig({ cwd: ROOT, env: {} });
const retrieval = {
  mode: config.retrieval.mode,
  k: config.retrieval.k,
  fusion: config.retrieval.fusion,
  expandParents: config.retrieval.expandParents,
};
const WORK = path.join(os.tmpdir(), 'cairn-abstention-transfer');
fs.mkdirSync(WORK, { recursive: true });

interface Question {
  question: string;
  shouldAbstain: boolean;
}

interface Outcome {
  corpus: string;
  abstainN: number;
  answerN: number;
  threshold: number;
  calibrationMs: number;
  probes: string;
  before: { ta: number; fa: number };
  calibrated: { ta: number; fa: number };
  after: { ta: number; fa: number };
  auc: number;
}

function shuffle<T>(items: T[], random: () => number): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy;
}

async function openCorpus(name: string, inputPath: string, collection?: string) {
  const { store, embedder } = openIndex({
    indexPath: path.join(WORK, `${name}.db`),
    createDirectories: true,
    endpoint: { threads: ingestThreads() },
  });
  const started = performance.now();
  const summary = await ingestPath({
    store,
    embedder,
    chunking: config.chunking,
    inputPath,
    ...(collection ? { collection } : {}),
    prune: true,
  });
  process.stderr.write(
    `${name}: ${summary.added} added, ${summary.unchanged} unchanged in ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
  );
  return { store, embedder };
}

async function measure(
  corpus: string,
  store: Store,
  embedder: EmbeddingModel,
  all: Question[],
): Promise<Outcome> {
  const cap = Number(values['max-questions']);
  const sample = seededRandom(seed + 1);
  const questions = [
    ...shuffle(
      all.filter((item) => item.shouldAbstain),
      sample,
    ).slice(0, cap),
    ...shuffle(
      all.filter((item) => !item.shouldAbstain),
      sample,
    ).slice(0, cap),
  ];
  // A calibration recorded for the same corpus is reused (its time is the recorded one).
  const recorded = await readCalibration(store, 'default');
  const calibration =
    recorded && !(await needsCalibration(store, 'default')) && recorded.seed === seed
      ? recorded
      : await calibrateAbstention({
          store,
          embedder,
          retrieval,
          seed,
          maxSentences: config.answerer.maxSentences,
        });
  process.stderr.write(
    `${corpus}: threshold ${calibration.threshold} from ${calibration.present.n} present / ${calibration.heldOut.n} held-out probes in ${(calibration.durationMs / 1000).toFixed(1)} s\n`,
  );
  const answerer = createExtractiveAnswerer({
    embedder,
    abstainThreshold: -1,
    maxSentences: config.answerer.maxSentences,
  });
  const rows: { shouldAbstain: boolean; refused: boolean; score: number; unanswerable: boolean }[] = [];
  for (const item of questions) {
    const result = await ask({
      store,
      embedder,
      answerer,
      question: item.question,
      retrieval,
      abstainWithoutCitations: false,
      useIndexCalibration: false,
      checkQuestionTerms: false,
    });
    rows.push({
      shouldAbstain: item.shouldAbstain,
      refused: result.abstainReason === 'injection_detected',
      score: result.evidenceScore ?? 0,
      unanswerable:
        result.passages.length > 0 && findUnanswerableTerms(item.question, result.passages).length > 0,
    });
  }
  const rates = (abstains: (row: (typeof rows)[number]) => boolean) => {
    const must = rows.filter((row) => row.shouldAbstain);
    const may = rows.filter((row) => !row.shouldAbstain);
    return {
      ta: must.filter(abstains).length / Math.max(1, must.length),
      fa: may.filter(abstains).length / Math.max(1, may.length),
    };
  };
  const t = calibration.threshold;
  const positives = rows.filter((row) => row.shouldAbstain).map((row) => row.score);
  const negatives = rows.filter((row) => !row.shouldAbstain).map((row) => row.score);
  let wins = 0;
  for (const p of positives) for (const n of negatives) wins += p < n ? 1 : p === n ? 0.5 : 0;
  return {
    corpus,
    abstainN: positives.length,
    answerN: negatives.length,
    threshold: t,
    calibrationMs: calibration.durationMs,
    probes: `${calibration.present.n}+${calibration.heldOut.n}`,
    before: rates((row) => row.refused || row.score < DEFAULT_ABSTAIN_THRESHOLD),
    calibrated: rates((row) => row.refused || row.score < t),
    after: rates((row) => row.refused || row.unanswerable || row.score < t),
    auc: wins / Math.max(1, positives.length * negatives.length),
  };
}

function listMarkdown(root: string, prefix = ''): string[] {
  return fs.readdirSync(path.join(root, prefix), { withFileTypes: true }).flatMap((entry) => {
    const relative = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDirectory()) return listMarkdown(root, relative);
    return entry.name.endsWith('.md') ? [relative] : [];
  });
}

const outcomes: Outcome[] = [];
const notes: string[] = [];

if (parts.has('scifact')) {
  const dir = scifactDir();
  const qrelSplit = split === 'dev' ? 'train' : 'test';
  const relevant = new Map<string, Set<string>>();
  for (const line of fs
    .readFileSync(path.join(dir, 'qrels', `${qrelSplit}.tsv`), 'utf8')
    .split('\n')
    .slice(1)) {
    const [queryId, docId] = line.split('\t');
    if (!queryId || !docId) continue;
    if (!relevant.has(queryId)) relevant.set(queryId, new Set());
    relevant.get(queryId)?.add(docId);
  }
  const claims = new Map<string, string>();
  for (const line of fs.readFileSync(path.join(dir, 'queries.jsonl'), 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    const query = JSON.parse(line) as { _id: string; text: string };
    if (relevant.has(query._id)) claims.set(query._id, query.text);
  }
  const random = seededRandom(seed);
  const relevantDocs = [...new Set([...relevant.values()].flatMap((docs) => [...docs]))].sort();
  const heldOut = new Set(shuffle(relevantDocs, random).slice(0, Number(values['held-out'])));
  const lines = fs
    .readFileSync(path.join(dir, 'corpus.jsonl'), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '');
  const byId = new Map(lines.map((line) => [(JSON.parse(line) as { _id: string })._id, line]));
  const keep = relevantDocs.filter((id) => !heldOut.has(id) && byId.has(id));
  const others = shuffle(
    [...byId.keys()].filter((id) => !relevantDocs.includes(id)),
    random,
  ).slice(0, Math.max(0, Number(values['scifact-docs']) - keep.length - heldOut.size));
  const subsetDir = path.join(WORK, `scifact-${split}`);
  fs.mkdirSync(subsetDir, { recursive: true });
  fs.writeFileSync(
    path.join(subsetDir, 'corpus.jsonl'),
    `${[...keep, ...others].map((id) => byId.get(id)).join('\n')}\n`,
  );
  const { store, embedder } = await openCorpus(`scifact-${split}`, path.join(subsetDir, 'corpus.jsonl'));
  const questions: Question[] = [];
  for (const [queryId, docs] of relevant) {
    const text = claims.get(queryId);
    if (!text) continue;
    const out = [...docs].filter((id) => heldOut.has(id)).length;
    if (out === docs.size) questions.push({ question: text, shouldAbstain: true });
    else if (out === 0) questions.push({ question: text, shouldAbstain: false });
  }
  outcomes.push(await measure(`SciFact (${qrelSplit} claims)`, store, embedder, questions));
  notes.push(
    `SciFact: ${keep.length + others.length} abstracts indexed (all ${keep.length} remaining relevant ones + ${others.length} seeded others), ${heldOut.size} relevant ones held out; claims with some relevant abstracts removed are skipped.`,
  );
  await store.close();
}

if (parts.has('vitest')) {
  const goldenFile = path.join(ROOT, 'corpus', 'vitest-golden.jsonl');
  const docsRoot = path.resolve(ROOT, '../shared/corpora/vitest-docs/docs');
  const items = loadGoldenSet(goldenFile, split);
  const random = seededRandom(seed);
  const inScope = shuffle(
    items.filter((item) => !mustAbstain(item) && !item.tags.includes('injection')),
    random,
  );
  const removedItems = inScope.slice(0, Math.floor(inScope.length / 2));
  const heldOut = new Set(removedItems.flatMap((item) => item.relevant_doc_ids));
  const copy = path.join(WORK, `vitest-${split}`, 'vitest-docs');
  fs.rmSync(copy, { recursive: true, force: true });
  const pages = listMarkdown(docsRoot).map((relative) => `vitest-docs/${relative}`);
  const needed = new Set(items.flatMap((item) => item.relevant_doc_ids).filter((id) => !heldOut.has(id)));
  const extra = shuffle(
    pages.filter((id) => !needed.has(id) && !heldOut.has(id)),
    random,
  ).slice(0, Math.max(0, Number(values['vitest-pages']) - needed.size - heldOut.size));
  const kept = new Set([...needed, ...extra]);
  for (const id of kept) {
    const relative = id.slice('vitest-docs/'.length);
    if (!fs.existsSync(path.join(docsRoot, relative))) continue;
    fs.mkdirSync(path.dirname(path.join(copy, relative)), { recursive: true });
    fs.copyFileSync(path.join(docsRoot, relative), path.join(copy, relative));
  }
  const { store, embedder } = await openCorpus(`vitest-${split}`, copy, 'vitest-docs');
  const questions: Question[] = [];
  for (const item of items) {
    if (item.tags.includes('injection')) continue;
    if (mustAbstain(item)) {
      questions.push({ question: item.question, shouldAbstain: true });
      continue;
    }
    const out = item.relevant_doc_ids.filter((id) => heldOut.has(id)).length;
    if (out === item.relevant_doc_ids.length)
      questions.push({ question: item.question, shouldAbstain: true });
    else if (out === 0) questions.push({ question: item.question, shouldAbstain: false });
  }
  outcomes.push(await measure(`Vitest docs (golden ${split})`, store, embedder, questions));
  notes.push(
    `Vitest docs: ${kept.size} of ${pages.length} pages indexed, ${heldOut.size} pages held out (the relevant pages of ${removedItems.length} in-scope ${split} items); must-abstain = those items + ${items.filter(mustAbstain).length} out-of-scope items.`,
  );
  await store.close();
}

if (parts.has('field-guide')) {
  const { store, embedder } = await openCorpus('field-guide', path.join(ROOT, 'corpus', 'field-guide'));
  const items = loadGoldenSet(path.join(ROOT, 'corpus', 'golden.jsonl'), split).filter(
    (item) => !item.tags.includes('injection'),
  );
  const questions = items.map((item) => ({ question: item.question, shouldAbstain: mustAbstain(item) }));
  outcomes.push(await measure(`field guide (golden ${split}; ours)`, store, embedder, questions));
  await store.close();
}

console.log(`\n\`npx tsx bench/abstention-transfer.ts ${process.argv.slice(2).join(' ')}\`\n`);
console.log(
  markdownTable(
    [
      'corpus',
      'must abstain / answer',
      'evidence AUC',
      'before (0.46): TA / FA',
      'calibrated: threshold, TA / FA',
      'after (+ terms): TA / FA',
      'calibration (probes, s)',
    ],
    outcomes.map((o) => [
      o.corpus,
      `${o.abstainN} / ${o.answerN}`,
      fixed(o.auc),
      `${fixed(o.before.ta)} / ${fixed(o.before.fa)}`,
      `${fixed(o.threshold, 3)}: ${fixed(o.calibrated.ta)} / ${fixed(o.calibrated.fa)}`,
      `**${fixed(o.after.ta)}** / **${fixed(o.after.fa)}**`,
      `${o.probes}, ${fixed(o.calibrationMs / 1000, 1)}`,
    ]),
  ),
);
console.log('\nTA: true abstention on must-abstain questions; FA: false abstention on answerable ones.');
for (const note of notes) console.log(`- ${note}`);
