/**
 * Trains the injection classifier shipped in src/guard/models/injection-classifier.json from the
 * public sets in ../shared (or CAIRN_SHARED_DIR) and our own corpus files, and chooses its three
 * thresholds on the dev split. Same data, same file, byte for byte.
 *
 *   npx tsx scripts/train-injection-classifier.ts [--check]
 *
 * Splits: each public item goes to train / dev / test by the FNV-1a hash of its id (60/20/20);
 * corpus/injection-extra.jsonl carries its own split; our suite's dev half is trained on and its
 * test half kept for reporting. Only train is fitted; thresholds come from dev; test is never read
 * here. `--check` retrains and exits 1 when the result differs from the shipped file.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  INJECTION_DATA_FILES,
  type LabelledText,
  loadBipiaAttacks,
  loadBipiaEmails,
  loadDeepset,
  loadExtra,
  loadScifact,
  loadSuite,
  loadVitestDocs,
  passageSized,
  plantedBipia,
  sha256Of,
  sharedDir,
} from '../src/evaluate/injection-data.ts';
import {
  classifyInjection,
  type InjectionClassifierFile,
  loadModel,
} from '../src/guard/classify-injection.ts';
import { detectInjection } from '../src/guard/detect-injection.ts';
import { FEATURE_BUCKETS, scoringSegments } from '../src/guard/injection-features.ts';
import {
  type TrainingExample,
  type TrainingOptions,
  trainInjectionClassifier,
} from '../src/guard/train-injection-classifier.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const shared = sharedDir(root);
const output = path.join(root, 'src/guard/models/injection-classifier.json');
const EXTRA = 'corpus/injection-extra.jsonl';
const SUITE = 'corpus/injection-suite.jsonl';
const HYPER: Required<TrainingOptions> = { epochs: 24, learningRate: 0.5, l2: 1e-4, seed: 12 };
// Targets of issue 12, applied to dev: false positives on benign prompts and on ordinary documents.
const QUESTION_FP_TARGET = 0.02;
const DOCUMENT_FP_TARGET = 0.01;
// A retrieved passage loses only its flagged sentences from the prompt (the document stays
// searchable), so it may touch up to 2% of the ordinary passages of each dev set.
const PASSAGE_FP_TARGET = 0.02;
// Document segments kept per benign set for training; enough to learn what prose and code look like.
const SEGMENTS_PER_SET = 6000;
// Share of the total training weight each group gets, whatever its size.
const GROUP_WEIGHT: Record<string, number> = {
  'deepset:attack': 1,
  'deepset:benign': 1,
  'extra:attack': 1,
  'extra:benign': 1,
  'suite:attack': 0.6,
  'suite:benign': 0.6,
  'bipia:attack': 0.6,
  'docs:benign': 6,
};

const started = performance.now();
const deepset = loadDeepset(shared);
const extra = loadExtra(path.join(root, EXTRA));
const suite = loadSuite(path.join(root, SUITE));
const bipiaAttacks = loadBipiaAttacks(shared);
const emails = loadBipiaEmails(shared);
const planted = plantedBipia(shared);
const vitest = loadVitestDocs(shared);
const scifact = loadScifact(shared);

/** Every `step`-th item, so a large set is thinned the same way each run. */
const thin = <T>(items: T[], keep: number): T[] => {
  const step = Math.max(1, Math.ceil(items.length / keep));
  return items.filter((_, index) => index % step === 0);
};
const docSegments = (items: LabelledText[]) =>
  thin(
    items.filter((item) => item.split === 'train').flatMap((item) => scoringSegments(item.text)),
    SEGMENTS_PER_SET,
  );

const groups: [string, string[], boolean][] = [
  [
    'deepset:attack',
    train(deepset)
      .filter((i) => i.attack)
      .map((i) => i.text),
    true,
  ],
  [
    'deepset:benign',
    train(deepset)
      .filter((i) => !i.attack)
      .map((i) => i.text),
    false,
  ],
  [
    'extra:attack',
    train(extra)
      .filter((i) => i.attack)
      .map((i) => i.text),
    true,
  ],
  [
    'extra:benign',
    train(extra)
      .filter((i) => !i.attack)
      .map((i) => i.text),
    false,
  ],
  [
    'suite:attack',
    train(suite)
      .filter((i) => i.attack)
      .map((i) => i.text),
    true,
  ],
  [
    'suite:benign',
    train(suite)
      .filter((i) => !i.attack)
      .map((i) => i.text),
    false,
  ],
  ['bipia:attack', bipiaAttacks.filter((a) => a.split === 'train').map((a) => a.text), true],
  ['docs:benign', [...docSegments(vitest), ...docSegments(scifact), ...docSegments(emails)], false],
];
const total = groups.reduce((sum, [, texts]) => sum + texts.length, 0);
const weightSum = groups.reduce((sum, [name]) => sum + (GROUP_WEIGHT[name] ?? 1), 0);
const examples: TrainingExample[] = groups.flatMap(([name, texts, attack]) =>
  texts.map((text) => ({
    text,
    attack,
    weight: ((GROUP_WEIGHT[name] ?? 1) / weightSum) * (total / texts.length),
  })),
);

const fitted = trainInjectionClassifier(examples, HYPER);
const trainedMs = performance.now() - started;

// Thresholds on dev: the lowest score that keeps the combined guard (rules or classifier) within
// the false-positive target, which gives the most detection the target allows.
const draft: InjectionClassifierFile = {
  format: 'cairn-injection-classifier/v1',
  buckets: FEATURE_BUCKETS,
  thresholds: { question: 1, document: 1, passage: 1 },
  ...fitted,
};
const scorer = loadModel(draft);
const devExtra = dev(extra);
const question = chooseThreshold(
  [[...dev(deepset), ...devExtra].filter((i) => i.channel === 'question' && !i.attack)],
  [...dev(deepset), ...devExtra].filter((i) => i.channel === 'question' && i.attack),
  'question',
  QUESTION_FP_TARGET,
);
const document = chooseThreshold(
  [dev(vitest), dev(scifact), dev(emails), devExtra.filter((i) => i.channel === 'document' && !i.attack)],
  [...dev(planted), ...devExtra.filter((i) => i.channel === 'document' && i.attack)],
  'document',
  DOCUMENT_FP_TARGET,
);
const passage = chooseThreshold(
  [dev(vitest), dev(scifact), dev(emails), devExtra.filter((i) => i.channel === 'document' && !i.attack)].map(
    passageSized,
  ),
  [...dev(planted), ...devExtra.filter((i) => i.channel === 'document' && i.attack)],
  'passage',
  PASSAGE_FP_TARGET,
  { rules: false },
);

const sources = Object.fromEntries(
  [
    ...Object.entries(INJECTION_DATA_FILES).map(([name, file]) => [name, path.join(shared, file)] as const),
    ['extra', path.join(root, EXTRA)] as const,
    ['suite', path.join(root, SUITE)] as const,
  ].map(([name, file]) => [name, sha256Of(file)]),
);
const file = {
  format: 'cairn-injection-classifier/v1',
  description:
    'Logistic regression over hashed word 1-2-grams and character 3-5-grams; made by scripts/train-injection-classifier.ts.',
  data: {
    sha256: createHash('sha256').update(JSON.stringify(sources)).digest('hex'),
    sources,
    split:
      'FNV-1a(id) % 10: 0-5 train, 6-7 dev, 8-9 test; extra: its own split field; suite: dev half is train, test half is test',
    trainingExamples: Object.fromEntries(groups.map(([name, texts]) => [name, texts.length])),
  },
  hyperParameters: {
    ...HYPER,
    buckets: FEATURE_BUCKETS,
    groupWeights: GROUP_WEIGHT,
    segmentsPerSet: SEGMENTS_PER_SET,
  },
  thresholds: { question: question.threshold, document: document.threshold, passage: passage.threshold },
  dev: { question: question.rates, document: document.rates, passage: passage.rates },
  buckets: FEATURE_BUCKETS,
  ...fitted,
};
const text = `${JSON.stringify(file, null, 2)}\n`;

if (process.argv.includes('--check')) {
  const same = fs.existsSync(output) && fs.readFileSync(output, 'utf8') === text;
  console.log(
    same ? 'shipped weights match a fresh training run' : 'shipped weights differ from a fresh training run',
  );
  process.exit(same ? 0 : 1);
}
fs.mkdirSync(path.dirname(output), { recursive: true });
fs.writeFileSync(output, text);
console.log(
  `trained on ${examples.length} examples in ${(trainedMs / 1000).toFixed(1)} s; wrote ${path.relative(root, output)} (${(text.length / 1024).toFixed(0)} KiB)`,
);
console.log(`question threshold ${question.threshold}: ${JSON.stringify(question.rates)}`);
console.log(`document threshold ${document.threshold}: ${JSON.stringify(document.rates)}`);
console.log(`passage threshold ${passage.threshold}: ${JSON.stringify(passage.rates)}`);

function train(items: LabelledText[]): LabelledText[] {
  return items.filter((item) => item.split === 'train');
}

function dev(items: LabelledText[]): LabelledText[] {
  return items.filter((item) => item.split === 'dev');
}

function chooseThreshold(
  benignSets: LabelledText[][],
  attacks: LabelledText[],
  channel: 'question' | 'document' | 'passage',
  target: number,
  { rules = true }: { rules?: boolean } = {},
): { threshold: number; rates: { detected: string; falsePositives: string } } {
  // The passage screen is the classifier alone: documents the rules flag are quarantined at ingest.
  const score = (item: LabelledText) => ({
    rule: rules && detectInjection(item.text, { classifier: false }).flagged,
    score: classifyInjection(item.text, channel, scorer).score,
  });
  // Each benign set must stay within the target on its own, so a small set of long pages is not
  // outvoted by a large set of short abstracts.
  let threshold = 0.5;
  const scoredSets = benignSets.map((items) => items.map(score));
  for (const benign of scoredSets) {
    const allowed = Math.floor(target * benign.length) - benign.filter((item) => item.rule).length;
    const scores = benign
      .filter((item) => !item.rule)
      .map((item) => item.score)
      .sort((a, b) => b - a);
    const ceiling = allowed < 0 ? 1 : (scores[allowed] ?? 0);
    threshold = Math.max(threshold, Math.ceil((ceiling + 1e-9) * 1e4) / 1e4);
  }
  threshold = Math.min(0.9999, threshold);
  const flagged = (item: { rule: boolean; score: number }) => item.rule || item.score >= threshold;
  const benign = scoredSets.flat();
  const detected = attacks.map(score).filter(flagged).length;
  return {
    threshold,
    rates: {
      detected: `${detected}/${attacks.length}`,
      falsePositives: `${benign.filter(flagged).length}/${benign.length}`,
    },
  };
}
