/**
 * Answer quality on documentation we did not write: the public Vitest docs
 * (../shared/corpora/vitest-docs/docs, collection `vitest-docs`) and our golden set over them,
 * corpus/vitest-golden.jsonl. Ingests the docs with the default settings (local embedder,
 * extractive answerer), evaluates the test and dev splits as `cairn eval answers` does (offline
 * judge), and prints answer rate, abstention, retrieval recall@k and the hand-graded counts from
 * corpus/vitest-golden-grades.jsonl (answers whose text changed since grading count as ungraded).
 * The field guide's own golden test split is run the same way for comparison.
 *
 *   npx tsx bench/vitest-quality.ts [--index FILE] [--answers FILE] [--no-field-guide]
 *
 * Without --index the docs go into a fresh temporary index; --index FILE keeps (and reuses) one.
 * --answers FILE writes every vitest answer with its hash, for grading by hand.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { buildPipeline } from '../src/cli/build-answerer.ts';
import { buildJudge } from '../src/cli/build-judge.ts';
import { closeIndex } from '../src/cli/close-index.ts';
import { loadConfig, recordSettings, resolvePipelineSettings } from '../src/config/index.ts';
import { ingestPath, ingestThreads, openIndex } from '../src/engine/index.ts';
import type { EvalItemResult, EvalRun } from '../src/evaluate/eval-run.ts';
import { runAnswerEval } from '../src/evaluate/index.ts';
import { type EmbeddingModel, embedderId, type Store } from '../src/spec/index.ts';
import { openFieldGuide, ROOT } from './lib/field-guide.ts';
import { answerHash, type GradeTally, loadHandGrades, tallyGrades } from './lib/hand-grades.ts';
import { fixed, markdownTable } from './lib/markdown-table.ts';

const { values } = parseArgs({
  options: {
    index: { type: 'string' },
    answers: { type: 'string' },
    'no-field-guide': { type: 'boolean', default: false },
  },
});

const DOCS = path.resolve(ROOT, '../shared/corpora/vitest-docs/docs');
const GOLDEN = path.join(ROOT, 'corpus', 'vitest-golden.jsonl');
const GRADES = path.join(ROOT, 'corpus', 'vitest-golden-grades.jsonl');
if (!fs.existsSync(DOCS)) {
  process.stderr.write(
    `Vitest docs not found at ${DOCS}: the bench reads ../shared/corpora from the root.\n`,
  );
  process.exit(2);
}

const loaded = loadConfig({ cwd: ROOT, env: {} });
const { config } = loaded;
// Resolved as `cairn eval answers` resolves them (the answer cache is off in an evaluation).
const settings = resolvePipelineSettings(loaded, 'eval');
const tempDir = values.index ? undefined : fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-vitest-'));
const indexPath = values.index ?? path.join(tempDir as string, 'vitest-docs.db');
const { store, embedder } = openIndex({
  indexPath,
  createDirectories: true,
  endpoint: { threads: ingestThreads() },
});
const ingest = await ingestPath({
  store,
  embedder,
  chunking: settings.chunking,
  inputPath: DOCS,
  collection: 'vitest-docs',
  scanInjection: settings.guard.scanDocuments,
  redactPii: settings.guard.redactDocuments,
});
process.stderr.write(
  `index ${indexPath}: ${ingest.added + ingest.updated} documents embedded, ${ingest.unchanged} reused, ` +
    `${ingest.failed.length} failed (${(ingest.totalMs / 1000).toFixed(1)} s)\n`,
);

for (const failure of ingest.failed) process.stderr.write(`failed ${failure.path}: ${failure.reason}\n`);

/** One split answered and judged the way `cairn eval answers` does it (offline judge). */
async function evaluate(
  index: { store: Store; embedder: EmbeddingModel },
  goldenFile: string,
  split: 'dev' | 'test',
): Promise<EvalRun> {
  const pipeline = buildPipeline(settings, index.embedder, { stream: false });
  return runAnswerEval({
    ...pipeline.ask,
    store: index.store,
    embedder: index.embedder,
    judge: buildJudge(config, index.embedder, 'offline'),
    goldenFile,
    split,
    namespace: settings.namespace,
    config: {
      embedder: embedderId(index.embedder),
      chunking: { ...settings.chunking },
      promptVersion: pipeline.ask.answerer.id === 'extractive' ? null : settings.answerer.promptVersion,
    },
    settings: recordSettings(settings),
    onProgress: (done, total) =>
      process.stderr.write(`\r${path.basename(goldenFile)} ${split}: ${done}/${total}`),
  });
}

/** Appends a split's answers with their hashes to the --answers file, for grading by hand. */
function writeAnswers(run: EvalRun, split: 'dev' | 'test'): void {
  if (!values.answers) return;
  const lines = run.items.map((item) =>
    JSON.stringify({
      id: item.id,
      split,
      tags: item.tags,
      question: item.question,
      abstained: item.abstained,
      answer: item.answer,
      answer_sha256: answerHash(item.answer),
      cited: item.citations.map((citation) => citation.docId),
      retrieved: [...new Set(item.retrievedDocIds)],
    }),
  );
  fs.appendFileSync(values.answers, `${lines.join('\n')}\n`);
  process.stderr.write(`\n${split} answers written to ${values.answers}\n`);
}

if (values.answers) fs.writeFileSync(values.answers, '');
// Answers are written as each split finishes, so grading can start before the bench ends.
const vitestTest = await evaluate({ store, embedder }, GOLDEN, 'test');
writeAnswers(vitestTest, 'test');
const vitestDev = await evaluate({ store, embedder }, GOLDEN, 'dev');
writeAnswers(vitestDev, 'dev');
await closeIndex({ store, embedder });
if (tempDir) fs.rmSync(tempDir, { recursive: true, force: true });

let fieldGuideTest: EvalRun | undefined;
if (!values['no-field-guide']) {
  const fieldGuide = await openFieldGuide();
  fieldGuideTest = await evaluate(fieldGuide, path.join(ROOT, 'corpus', 'golden.jsonl'), 'test');
  await closeIndex(fieldGuide);
}

const grades = loadHandGrades(GRADES);
const mustAbstain = (item: EvalItemResult) => item.tags.includes('out-of-scope');
const share = (part: number, whole: number) =>
  whole === 0 ? '—' : `${fixed(part / whole, 3)} (${part}/${whole})`;
const mean = (samples: number[]) =>
  samples.length === 0 ? Number.NaN : samples.reduce((sum, value) => sum + value, 0) / samples.length;
const tallyText = (tally: GradeTally) =>
  `${tally.correct} / ${tally.partial} / ${tally.wrong}${tally.ungraded > 0 ? ` (${tally.ungraded} ungraded)` : ''}`;

/** The table's column for one run; `graded` is false where no hand grades exist. */
function column(run: EvalRun, graded: boolean): string[] {
  const answerable = run.items.filter((item) => !mustAbstain(item));
  const abstainers = run.items.filter(mustAbstain);
  const nearMiss = abstainers.filter((item) => item.tags.includes('near-miss'));
  const answered = answerable.filter((item) => !item.abstained);
  const recall = answerable.map(
    (item) =>
      item.relevantDocIds.filter((id) => item.retrievedDocIds.includes(id)).length /
      item.relevantDocIds.length,
  );
  const hit = answerable.filter((item) =>
    item.relevantDocIds.some((id) => item.retrievedDocIds.includes(id)),
  );
  const citesRelevant = answered.filter((item) =>
    item.citations.some((citation) => item.relevantDocIds.includes(citation.docId)),
  );
  const faithfulness = run.aggregates.faithfulness?.mean;
  return [
    String(run.items.length),
    share(answered.length, answerable.length),
    share(abstainers.filter((item) => item.abstained).length, abstainers.length),
    nearMiss.length === 0 ? '—' : share(nearMiss.filter((item) => item.abstained).length, nearMiss.length),
    fixed(mean(recall), 3),
    share(hit.length, answerable.length),
    share(citesRelevant.length, answered.length),
    faithfulness === null || faithfulness === undefined ? '—' : fixed(faithfulness, 3),
    graded ? tallyText(tallyGrades(answerable, grades)) : 'not graded',
    graded ? tallyText(tallyGrades(abstainers, grades)) : 'not graded',
    graded ? tallyText(tallyGrades(run.items, grades)) : 'not graded',
  ];
}

const k = settings.retrieval.k;
const labels = [
  'items',
  'answer rate on answerable items (answered / answerable)',
  'abstention on out-of-scope + near-miss items (abstained / must abstain)',
  'of which near-miss items',
  `retrieval recall@${k} of relevant docs (mean over answerable items)`,
  `answerable items with a relevant doc in the top ${k}`,
  'answers citing a relevant doc',
  'faithfulness (offline judge, a proxy)',
  'hand-graded answerable items: correct / partial / wrong',
  'hand-graded must-abstain items: correct / partial / wrong',
  '**hand-graded, all items: correct / partial / wrong**',
];
const columns = [
  { header: 'Vitest docs, test split', values: column(vitestTest, true) },
  { header: 'Vitest docs, dev split', values: column(vitestDev, false) },
  ...(fieldGuideTest
    ? [{ header: 'field guide, test split (our own writing)', values: column(fieldGuideTest, false) }]
    : []),
];
console.log(
  `\nVitest docs (${ingest.added + ingest.updated + ingest.unchanged} pages, not written by us), ` +
    `${vitestTest.config.answerer} answerer, ${vitestTest.config.embedder}, ` +
    `retrieval ${settings.retrieval.mode} k=${k}\n`,
);
console.log(
  markdownTable(
    ['metric', ...columns.map((c) => c.header)],
    labels.map((label, row) => [label, ...columns.map((c) => c.values[row] ?? '—')]),
  ),
);
console.log(
  '\nHand grades: corpus/vitest-golden-grades.jsonl, keyed by item id and the sha256 of the answer text;' +
    ' an answer that changed since grading is ungraded. The field guide golden set was written by the' +
    ' same team as the field guide, so its questions share the documents’ wording.',
);

const misses = vitestTest.items.filter((item) => mustAbstain(item) !== item.abstained);
if (misses.length > 0) {
  console.log(`\nVitest test items where abstention was wrong (${misses.length}):`);
  for (const item of misses)
    console.log(`- ${item.id} [${item.tags.join(',')}] abstained=${item.abstained}: ${item.question}`);
}
