/**
 * How far to trust each judged metric: Cohen's kappa of every metric against human grades, per
 * label set, on the *test* split (thresholds are chosen on *dev*):
 *
 * - `corpus/judge-labels.jsonl`: support and relevance statements over the field guide;
 * - `corpus/judge-labels-vitest.jsonl`: hand-graded answers of the pipeline over the public
 *   vitest docs (their cited passages are re-read from an index of those docs by chunk id, and the
 *   answers, stored as spans of the docs, are rebuilt from the docs folder: `--vitest-docs DIR`,
 *   default `corpora/vitest-docs/docs` in `CAIRN_SHARED_DIR` or `../shared`);
 * - SciFact rationale sentences (support / contradict / not a rationale), read in place from
 *   `/work/shared/bench-data/scifact`.
 *
 *   cairn ingest /work/shared/corpora/vitest-docs/docs --index /tmp/vitest.db   # once
 *   npx tsx bench/judge-agreement.ts [--index /tmp/vitest.db] [--vitest-docs DIR] [--scifact DIR] [--write]
 *
 * `--write` stores the result as `corpus/judge-trust.json`, which `cairn eval answers`, the HTML
 * report and the web UI read to mark metrics under kappa 0.4 untrusted.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { closeIndex } from '../src/cli/close-index.ts';
import { openIndex } from '../src/engine/index.ts';
import {
  agreementStats,
  BUNDLED_JUDGE_TRUST,
  buildJudgeTrust,
  checkJudge,
  createOfflineJudge,
  DEFAULT_SUPPORT_THRESHOLD,
  type JudgeCheckReport,
  type JudgeLabel,
  keyFactRecall,
  loadJudgeLabels,
  loadSciFactSupportLabels,
  type StatementLabel,
  tokenF1,
} from '../src/evaluate/index.ts';
import { CairnError } from '../src/spec/index.ts';
import { fixed, markdownTable } from './lib/markdown-table.ts';

const { values } = parseArgs({
  options: {
    index: { type: 'string', default: '/tmp/vitest.db' },
    'vitest-docs': { type: 'string' },
    scifact: { type: 'string', default: '/work/shared/bench-data/scifact' },
    write: { type: 'boolean', default: false },
  },
});
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The Vitest answer labels, their answers rebuilt from the docs; an exit with the reason if they cannot be. */
function loadVitestLabels(): JudgeLabel[] {
  const docs = values['vitest-docs'];
  try {
    return loadJudgeLabels(path.join(root, 'corpus', 'judge-labels-vitest.jsonl'), {
      ...(docs === undefined ? {} : { sources: { 'vitest-docs': docs } }),
    });
  } catch (error) {
    if (!CairnError.is(error)) throw error;
    console.error(error.message);
    process.exit(2);
  }
}
const fieldGuide = loadJudgeLabels(path.join(root, 'corpus', 'judge-labels.jsonl'));
const vitest = loadVitestLabels();
if (!fs.existsSync(values.index)) {
  console.error(
    `no index at ${values.index}: run cairn ingest /work/shared/corpora/vitest-docs/docs --index ${values.index} first`,
  );
  process.exit(2);
}
const { store, embedder } = openIndex({ indexPath: values.index });
const passages = async (chunkIds: string[]) =>
  new Map((await store.getChunks('default', chunkIds)).map((chunk) => [chunk.id, chunk.text]));

// 1. Thresholds of the offline judge's raw scores, chosen on the field-guide dev labels.
const rawJudge = createOfflineJudge({ embedder, supportThreshold: 0 });
const statements = fieldGuide.filter((label): label is StatementLabel => label.kind !== 'answer');
const scores = new Map<string, number>();
for (const label of statements) {
  const score =
    label.kind === 'support'
      ? (
          await rawJudge.judgeSupport({
            statement: label.statement,
            context: label.context,
            question: label.question,
          })
        ).score
      : (await rawJudge.judgeRelevance(label.question, label.statement)).score;
  scores.set(label.id, score);
}
const statsAt = (subset: StatementLabel[], threshold: number) =>
  agreementStats(
    subset.map((label) => ({ human: label.human, judge: (scores.get(label.id) ?? 0) >= threshold })),
  );
const thresholdRows: string[][] = [];
for (const kind of ['support', 'relevance'] as const) {
  const dev = statements.filter((label) => label.kind === kind && label.split === 'dev');
  const test = statements.filter((label) => label.kind === kind && label.split === 'test');
  let best = { threshold: 0, kappa: Number.NEGATIVE_INFINITY };
  for (let threshold = 0.2; threshold <= 0.9001; threshold += 0.02) {
    const kappa = statsAt(dev, threshold).kappa ?? Number.NEGATIVE_INFINITY;
    if (kappa > best.kappa) best = { threshold, kappa };
  }
  const shipped = kind === 'support' ? DEFAULT_SUPPORT_THRESHOLD : 0.5;
  for (const [name, threshold] of [
    ['shipped default', shipped],
    ['chosen on dev', best.threshold],
  ] as const) {
    const stats = statsAt(test, threshold);
    thresholdRows.push([
      kind,
      name,
      fixed(threshold, 2),
      String(test.length),
      fixed(stats.agreement, 3),
      stats.kappa === null ? '—' : fixed(stats.kappa, 3),
      fixed(
        statsAt(
          test.filter((label) => label.hard),
          threshold,
        ).agreement,
        3,
      ),
    ]);
  }
}
console.log(`\nOffline judge (${embedder.modelId}) raw-score thresholds, field-guide labels, test split\n`);
console.log(
  markdownTable(
    [
      'judgement',
      'threshold',
      'value',
      'test items',
      'agreement',
      "Cohen's kappa",
      'agreement on hard items',
    ],
    thresholdRows,
  ),
);

// 2. Correctness thresholds of the lexical metrics, chosen on the vitest dev answers.
const answers = vitest.filter((label) => label.kind === 'answer');
const sweepRows: string[][] = [];
for (const [metric, value] of [
  ['key_fact_recall', (a: string, r: string) => keyFactRecall(a, r).recall],
  ['token_f1', tokenF1],
] as const) {
  const statsFor = (split: 'dev' | 'test', threshold: number) => {
    const pairs = answers
      .filter((label) => label.split === split)
      .flatMap((label) => {
        const score = label.abstained ? 0 : value(label.answer, label.reference);
        return score === null ? [] : [{ human: label.correctness === 'correct', judge: score >= threshold }];
      });
    return agreementStats(pairs);
  };
  let best = { threshold: 0, kappa: Number.NEGATIVE_INFINITY };
  for (let threshold = 0.1; threshold <= 1.0001; threshold += 0.05) {
    const kappa = statsFor('dev', threshold).kappa ?? Number.NEGATIVE_INFINITY;
    if (kappa > best.kappa + 1e-9) best = { threshold, kappa };
  }
  const test = statsFor('test', best.threshold);
  sweepRows.push([
    metric,
    fixed(best.threshold, 2),
    fixed(best.kappa, 3),
    String(test.n),
    test.kappa === null ? '—' : fixed(test.kappa, 3),
  ]);
}
console.log(
  '\nCorrectness thresholds chosen on the vitest dev answers (human "correct" vs metric ≥ threshold)\n',
);
console.log(markdownTable(['metric', 'threshold (dev)', 'dev kappa', 'test items', 'test kappa'], sweepRows));

// 3. Kappa per metric per label set on the test split, with the shipped thresholds.
const judge = createOfflineJudge({ embedder });
const testOf = (labels: JudgeLabel[]) => labels.filter((label) => label.split === 'test');
const scifact = fs.existsSync(values.scifact) ? loadSciFactSupportLabels(values.scifact) : [];
const reports: JudgeCheckReport[] = [];
for (const [labelSet, labels] of [
  ['judge-labels', testOf(fieldGuide)],
  ['judge-labels-vitest', testOf(vitest)],
  ['scifact', testOf(scifact)],
] as const) {
  if (labels.length === 0) continue;
  reports.push(await checkJudge(judge, labels, { labelSet, passages }));
}
const rows = reports.flatMap((report) =>
  report.perMetric
    .filter((row) => row.stats.n > 0 || row.unmeasured > 0)
    .map((row) => [
      row.labelSet,
      row.metric,
      `${row.human}${row.threshold === null ? '' : ` (metric ≥ ${row.threshold})`}`,
      String(row.stats.n),
      row.stats.n === 0 ? '—' : fixed(row.stats.agreement, 3),
      row.stats.kappa === null ? '—' : fixed(row.stats.kappa, 3),
      row.stats.kappa === null ? 'unmeasured' : row.trusted ? 'trusted' : 'UNTRUSTED',
    ]),
);
console.log(`\nKappa per metric per label set, test split, judge ${judge.id}\n`);
console.log(
  markdownTable(
    ['label set', 'metric', 'human label', 'test items', 'agreement', "Cohen's kappa", 'status'],
    rows,
  ),
);
const command = `npx tsx bench/judge-agreement.ts --index ${values.index}${values['vitest-docs'] === undefined ? '' : ` --vitest-docs ${values['vitest-docs']}`}${values.write ? ' --write' : ''}`;
console.log(`\n${command}`);
if (values.write) {
  fs.writeFileSync(
    BUNDLED_JUDGE_TRUST,
    `${JSON.stringify(buildJudgeTrust(reports, { command, split: 'test' }), null, 2)}\n`,
  );
  console.log(`wrote ${path.relative(root, BUNDLED_JUDGE_TRUST)}`);
}
await closeIndex({ store, embedder });
