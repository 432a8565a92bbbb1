/**
 * Calibrates the extractive answerer's abstention threshold on the golden *dev* split: every
 * question is answered without abstaining to record its evidence score, then each candidate
 * threshold is scored by balanced accuracy (abstain on out-of-scope items, answer the rest).
 * The test split is never looked at here.
 *
 *   npx tsx bench/calibrate-abstention.ts
 */
import path from 'node:path';
import { ask } from '../src/engine/index.ts';
import { loadGoldenSet, mustAbstain } from '../src/evaluate/index.ts';
import { createExtractiveAnswerer, DEFAULT_ABSTAIN_THRESHOLD } from '../src/generate/extractive-answerer.ts';
import { openFieldGuide, ROOT } from './lib/field-guide.ts';
import { fixed, markdownTable } from './lib/markdown-table.ts';

const { config, store, embedder, retrieval } = await openFieldGuide();
const dev = loadGoldenSet(path.join(ROOT, 'corpus', 'golden.jsonl'), 'dev');
const answerer = createExtractiveAnswerer({
  embedder,
  abstainThreshold: -1,
  maxSentences: config.answerer.maxSentences,
});

const scored: { score: number; abstain: boolean }[] = [];
for (const item of dev) {
  const result = await ask({
    store,
    embedder,
    answerer,
    question: item.question,
    retrieval,
    abstainWithoutCitations: false,
  });
  const score = result.evidenceScore ?? 0;
  scored.push({ score, abstain: mustAbstain(item) });
}
await store.close();

const rows: (string | number)[][] = [];
let best = { threshold: 0, balanced: -1 };
for (let threshold = 0.2; threshold <= 0.8001; threshold += 0.02) {
  const outOfScope = scored.filter((item) => item.abstain);
  const inScope = scored.filter((item) => !item.abstain);
  const abstainRate =
    outOfScope.filter((item) => item.score < threshold).length / Math.max(1, outOfScope.length);
  const answerRate = inScope.filter((item) => item.score >= threshold).length / Math.max(1, inScope.length);
  const balanced = (abstainRate + answerRate) / 2;
  rows.push([fixed(threshold, 2), fixed(abstainRate), fixed(answerRate), fixed(balanced)]);
  if (balanced > best.balanced + 1e-9) best = { threshold, balanced };
}
console.log(
  `\nDev split: ${scored.length} items (${scored.filter((item) => item.abstain).length} out-of-scope)\n`,
);
console.log(
  markdownTable(['threshold', 'abstained on out-of-scope', 'answered in-scope', 'balanced accuracy'], rows),
);
console.log(
  `\nbest threshold on dev: ${fixed(best.threshold, 2)} (balanced accuracy ${fixed(best.balanced)}); current default ${DEFAULT_ABSTAIN_THRESHOLD}`,
);
