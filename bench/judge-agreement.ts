/**
 * Offline-judge agreement with the hand labels in corpus/judge-labels.jsonl. The support and
 * relevance thresholds are chosen on the *dev* labels (highest Cohen's kappa); agreement is then
 * reported on the *test* labels, for the chosen and the shipped default thresholds.
 *
 *   npx tsx bench/judge-agreement.ts
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLocalEmbedder } from '../src/embed/index.ts';
import {
  agreementStats,
  checkJudge,
  createOfflineJudge,
  DEFAULT_SUPPORT_THRESHOLD,
  type JudgeLabel,
  loadJudgeLabels,
} from '../src/evaluate/index.ts';
import { fixed, markdownTable } from './lib/markdown-table.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const labels = loadJudgeLabels(path.join(root, 'corpus', 'judge-labels.jsonl'));
const embedder = createLocalEmbedder();
const judge = createOfflineJudge({ embedder, supportThreshold: 0 });

// Raw scores once per label; verdicts at any threshold follow from them.
const scores = new Map<string, number>();
for (const label of labels) {
  const score =
    label.kind === 'support'
      ? (
          await judge.judgeSupport({
            statement: label.statement,
            context: label.context,
            question: label.question,
          })
        ).score
      : (await judge.judgeRelevance(label.question, label.statement)).score;
  scores.set(label.id, score);
}

const kappaAt = (subset: JudgeLabel[], threshold: number) =>
  agreementStats(
    subset.map((label) => ({ human: label.human, judge: (scores.get(label.id) ?? 0) >= threshold })),
  );

const rows: string[][] = [];
for (const kind of ['support', 'relevance'] as const) {
  const dev = labels.filter((label) => label.kind === kind && label.split === 'dev');
  const test = labels.filter((label) => label.kind === kind && label.split === 'test');
  let best = { threshold: 0, kappa: Number.NEGATIVE_INFINITY };
  for (let threshold = 0.2; threshold <= 0.9001; threshold += 0.02) {
    const kappa = kappaAt(dev, threshold).kappa ?? Number.NEGATIVE_INFINITY;
    if (kappa > best.kappa) best = { threshold, kappa };
  }
  const shipped = kind === 'support' ? DEFAULT_SUPPORT_THRESHOLD : 0.5;
  for (const [name, threshold] of [
    ['shipped default', shipped],
    ['chosen on dev', best.threshold],
  ] as const) {
    const stats = kappaAt(test, threshold);
    const hard = kappaAt(
      test.filter((label) => label.hard),
      threshold,
    );
    rows.push([
      kind,
      name,
      fixed(threshold, 2),
      String(test.length),
      fixed(stats.agreement, 3),
      stats.kappa === null ? '—' : fixed(stats.kappa, 3),
      fixed(hard.agreement, 3),
    ]);
  }
}
console.log(`\nOffline judge (${embedder.modelId}) vs hand labels, test split (thresholds chosen on dev)\n`);
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
    rows,
  ),
);
const report = await checkJudge(
  createOfflineJudge({ embedder }),
  labels.filter((label) => label.split === 'test'),
  { repeats: 2 },
);
console.log(
  `\nrun-to-run: ${report.perKind.map((entry) => `${entry.kind} variance ${entry.agreementVariance}`).join(', ')}`,
);

await embedder.close();
