/**
 * Safety of the semantic answer cache on a perturbation suite: pairs of questions where the first
 * is cached and the second asked. A pair is either a true paraphrase (the cache should serve it)
 * or a perturbation that asks something else (serving it is a wrong answer). Pairs come from:
 *
 * - RGB (`../shared/bench-data/rgb/en_fact.jsonl`, read in place): each query perturbed at run time
 *   (year or number changed, an entity swapped for one from another query, a negation added or
 *   removed, a word swapped for its opposite), pairs of RGB queries that differ only slightly
 *   ("2021" vs "2019 Tour de France"), and template paraphrases ("Can you tell me who...").
 * - The golden set (`corpus/golden.jsonl`): its hand-written paraphrases (`corpus/paraphrases.jsonl`),
 *   the other questions about the same document, and the same run-time perturbations.
 * - Hand-written pairs (`corpus/cache-perturbations.jsonl`), including kinds the check cannot see
 *   (role swaps, topic swaps) to show what is left to the similarity threshold.
 *
 * Every pair is put into, and looked up in, a real SQLite answer cache with the local embedder
 * (USE-lite): once with the threshold alone (the old behaviour) and once with the same-question
 * check. The threshold is chosen on dev (lowest with no wrong serve, so the most paraphrase hits)
 * and reported on test.
 *
 *   npx tsx bench/cache-safety.ts [--show dev] [--seed 11] [--vectors /tmp/cache-safety-vectors.json]
 *
 * `--show dev` lists the pairs served wrongly and the paraphrases missed on dev; `--vectors` keeps
 * the embeddings in a file outside the repository between runs.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createAnswerCache, normalizeQuestion, questionDifference } from '../src/cache/index.ts';
import { createLocalEmbedder, embedMany } from '../src/embed/index.ts';
import { seededRandom } from '../src/evaluate/compare/seeded-random.ts';
import { openSqliteAnswerCache } from '../src/store/sqlite/index.ts';
import { ROOT } from './lib/field-guide.ts';
import { markdownTable } from './lib/markdown-table.ts';
import { BENCH_DATA } from './lib/shared-data.ts';

const { values } = parseArgs({
  options: {
    show: { type: 'string' },
    seed: { type: 'string', default: '11' },
    vectors: { type: 'string' },
  },
});
const random = seededRandom(Number(values.seed));
const pick = <T>(items: T[]): T => items[Math.floor(random() * items.length)] as T;

type Split = 'dev' | 'test';
interface Pair {
  a: string;
  b: string;
  same: boolean;
  kind: string;
  source: 'rgb' | 'golden' | 'hand';
  split: Split;
}

/** Kinds the check is built for: a number, entity, negation or opposite word differs. */
const IN_SCOPE = new Set([
  'number',
  'year',
  'version',
  'entity',
  'negation',
  'antonym',
  'gender',
  'comparison',
  'unit',
  'question-type',
]);

const readJsonl = <T>(file: string): T[] =>
  fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as T);

// --- Perturbations, applied at run time. Deliberately written apart from the check's own word
// lists (src/cache/question-lexicon.ts), and including opposites that it does not list.

function changeNumber(question: string): string | undefined {
  const match = /\b(1[89]\d\d|20\d\d|\d+(?:\.\d+)?)(st|nd|rd|th)?\b/.exec(question);
  if (!match) return undefined;
  const [text, digits, ordinal] = match as unknown as [string, string, string | undefined];
  let changed: string;
  if (/^(1[89]|20)\d\d$/.test(digits)) changed = String(Number(digits) + pick([-3, -2, -1, 1, 2]));
  else if (digits.includes('.')) changed = String(Number((Number(digits) * 2).toFixed(3)));
  else changed = String(Number(digits) + pick([1, 2, 10]));
  const suffix = ordinal === undefined ? '' : ordinalSuffix(Number(changed));
  return question.replace(text, `${changed}${suffix}`);
}

const ordinalSuffix = (n: number) =>
  n % 100 >= 11 && n % 100 <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');

/** Capitalised spans after the first word ("Tour de France", "BM25", "Wimbledon"). */
function entitySpans(question: string): string[] {
  const spans: string[] = [];
  const pattern = /\b[A-Z][\w'’.-]*(?:\s(?:(?:of|de|the|and)\s)?[A-Z][\w'’.-]*)*/g;
  for (const match of question.matchAll(pattern)) {
    if (match.index === 0 || /^(I|A)$/.test(match[0])) continue;
    spans.push(match[0].replace(/['’]s$/, '').replace(/[.]$/, ''));
  }
  return spans;
}

function swapEntity(question: string, pool: string[]): string | undefined {
  const spans = entitySpans(question);
  if (spans.length === 0) return undefined;
  const span = pick(spans);
  const others = pool.filter(
    (other) => other.toLowerCase() !== span.toLowerCase() && !question.includes(other),
  );
  if (others.length === 0) return undefined;
  return question.replace(span, pick(others));
}

const AUXILIARY = /\b(is|are|was|were|does|do|did|can|should|will|would|could|must|has|have)\b/i;

function toggleNegation(question: string): string | undefined {
  if (/\bnot\b/.test(question)) return question.replace(/\s+not\b/, '');
  if (/n't\b/.test(question)) return question.replace(/n't\b/, '');
  if (/\bnever\b/.test(question)) return question.replace(/\s*never\b/, '');
  const aux = AUXILIARY.exec(question);
  if (aux && aux.index > 0) return question.replace(aux[0], `${aux[0]} not`);
  if (/^Who [a-z]+ed\b/.test(question) || /^Who won\b/.test(question))
    return question.replace(/^Who /, 'Who never ');
  return undefined;
}

const SWAPS: [string, string][] = [
  ['won', 'lost'],
  ['win', 'lose'],
  ['winner', 'loser'],
  ["men's", "women's"],
  ['male', 'female'],
  ['actor', 'actress'],
  ['before', 'after'],
  ['first', 'last'],
  ['best', 'worst'],
  ['most', 'least'],
  ['highest', 'lowest'],
  ['largest', 'smallest'],
  ['higher', 'lower'],
  ['more', 'fewer'],
  ['increase', 'decrease'],
  ['enable', 'disable'],
  ['maximum', 'minimum'],
  ['start', 'stop'],
  ['open', 'close'],
  ['add', 'remove'],
  ['allowed', 'forbidden'],
  ['import', 'export'],
  ['input', 'output'],
  ['true', 'false'],
  ['valid', 'invalid'],
  ['positive', 'negative'],
  ['sparse', 'dense'],
  ['direct', 'indirect'],
  ['precision', 'recall'],
  ['online', 'offline'],
  ['cheap', 'expensive'],
  ['fast', 'slow'],
  ['long', 'short'],
  ['new', 'old'],
  ['early', 'late'],
  ['acquired', 'sold'],
  ['acquire', 'sell'],
  ['hired', 'fired'],
  ['lead', 'supporting'],
  ['premiere', 'finale'],
  ['released', 'cancelled'],
  ['announced', 'discontinued'],
  ['hosted', 'boycotted'],
  ['awarded', 'denied'],
  ['director', 'producer'],
  ['runner-up', 'champion'],
  ['retried', 'dropped'],
  ['safe', 'unsafe'],
  ['upper', 'lower'],
  ['dev', 'test'],
];

function swapOpposite(question: string): string | undefined {
  const has = (word: string) => new RegExp(`\\b${word.replace(/'/g, "['’]")}(?![\\w'’])`, 'i').test(question);
  for (const [left, right] of SWAPS) {
    // With both words present a swap only reorders them (a role swap, counted elsewhere).
    if (has(left) && has(right)) continue;
    for (const [from, to] of [
      [left, right],
      [right, left],
    ] as const) {
      const pattern = new RegExp(`\\b${from.replace(/'/g, "['’]")}(?![\\w'’])`, 'i');
      const match = pattern.exec(question);
      // "How long" asks for a duration; "how short" is not a question anyone asks.
      if (!match || /\bhow\s+$/i.test(question.slice(0, match.index))) continue;
      const cased = /^[A-Z]/.test(match[0]) ? to.charAt(0).toUpperCase() + to.slice(1) : to;
      return question.replace(match[0], cased);
    }
  }
  return undefined;
}

const lowerFirst = (text: string) => text.charAt(0).toLowerCase() + text.slice(1);

/** Meaning-preserving rewrites: a polite frame, or a trailing "in 2019" moved to the front. */
function templateParaphrases(question: string): string[] {
  const out: string[] = [];
  const trimmed = question.replace(/\?$/, '');
  if (/^(who|what|when|where|which|how|why)\b/i.test(question))
    out.push(`Can you tell me ${lowerFirst(trimmed)}?`);
  else out.push(`I would like to know: ${question}`);
  const year = / in ((?:19|20)\d\d)\?$/.exec(question);
  if (year) out.push(`In ${year[1]}, ${lowerFirst(question.slice(0, year.index))}?`);
  else out.push(`Quick question: ${question}`);
  return out;
}

function perturbations(question: string, pool: string[]): { b: string; kind: string }[] {
  const out: { b: string; kind: string }[] = [];
  const add = (b: string | undefined, kind: string) => {
    if (b !== undefined && b !== question) out.push({ b, kind });
  };
  const number = changeNumber(question);
  add(number, number && /\b(19|20)\d\d\b/.test(question) ? 'year' : 'number');
  add(swapEntity(question, pool), 'entity');
  add(toggleNegation(question), 'negation');
  add(swapOpposite(question), 'antonym');
  return out;
}

const tokens = (text: string) => new Set(text.toLowerCase().match(/[\p{L}\p{N}']+/gu) ?? []);
function jaccard(a: string, b: string): number {
  const [x, y] = [tokens(a), tokens(b)];
  const shared = [...x].filter((token) => y.has(token)).length;
  return shared / (x.size + y.size - shared);
}

// --- The suite.

function rgbPairs(): Pair[] {
  const file = path.join(BENCH_DATA, 'rgb', 'en_fact.jsonl');
  if (!fs.existsSync(file)) {
    process.stderr.write(`RGB not found at ${file}: benchmarks read ../shared/bench-data in place.\n`);
    process.exit(2);
  }
  const items = readJsonl<{ id: number; query: string }>(file);
  // Blocks of ten ids, alternating, keep a family of near-identical queries in one split.
  const split = (id: number): Split => (Math.floor(id / 10) % 2 === 0 ? 'dev' : 'test');
  const pool = items.flatMap((item) => entitySpans(item.query));
  const pairs: Pair[] = [];
  for (const item of items) {
    const base = { a: item.query, source: 'rgb' as const, split: split(item.id) };
    for (const { b, kind } of perturbations(item.query, pool)) pairs.push({ ...base, b, same: false, kind });
    for (const b of templateParaphrases(item.query))
      pairs.push({ ...base, b, same: true, kind: 'paraphrase' });
  }
  for (const [i, first] of items.entries())
    for (const second of items.slice(i + 1))
      if (
        split(first.id) === split(second.id) &&
        jaccard(first.query, second.query) >= 0.6 &&
        // RGB repeats some queries in another case: those are exact-tier repeats, not siblings.
        normalizeQuestion(first.query) !== normalizeQuestion(second.query)
      )
        pairs.push({
          a: first.query,
          b: second.query,
          same: false,
          kind: 'rgb-sibling',
          source: 'rgb',
          split: split(first.id),
        });
  return pairs;
}

function goldenPairs(): Pair[] {
  const golden = readJsonl<{ id: string; question: string; split: Split; tags?: string[] }>(
    path.join(ROOT, 'corpus', 'golden.jsonl'),
  ).filter((item) => !item.id.startsWith('injection-'));
  const byId = new Map(golden.map((item) => [item.id, item]));
  const pool = golden.flatMap((item) => entitySpans(item.question));
  const pairs: Pair[] = [];
  for (const paraphrase of readJsonl<{ paraphrase_of: string; question: string; split: Split }>(
    path.join(ROOT, 'corpus', 'paraphrases.jsonl'),
  )) {
    const original = byId.get(paraphrase.paraphrase_of);
    if (original)
      pairs.push({
        a: original.question,
        b: paraphrase.question,
        same: true,
        kind: 'paraphrase',
        source: 'golden',
        split: paraphrase.split,
      });
  }
  for (const item of golden)
    for (const { b, kind } of perturbations(item.question, pool))
      pairs.push({ a: item.question, b, same: false, kind, source: 'golden', split: item.split });
  // Other questions about the same document, in the same split: related but different questions.
  const topic = (id: string) => id.replace(/-[qp]\d+$/, '');
  for (const [i, first] of golden.entries())
    for (const second of golden.slice(i + 1))
      if (topic(first.id) === topic(second.id) && first.split === second.split)
        pairs.push({
          a: first.question,
          b: second.question,
          same: false,
          kind: 'golden-sibling',
          source: 'golden',
          split: first.split,
        });
  return pairs;
}

const hand = readJsonl<Omit<Pair, 'source'>>(path.join(ROOT, 'corpus', 'cache-perturbations.jsonl')).map(
  (pair): Pair => ({ ...pair, source: 'hand' }),
);
const suite = [...rgbPairs(), ...goldenPairs(), ...hand];

// --- Embeddings and the real cache.

const questions = [...new Set(suite.flatMap((pair) => [pair.a, pair.b]))];
const vectorOf = new Map<string, Float32Array>();
if (values.vectors && fs.existsSync(values.vectors))
  for (const [question, vector] of Object.entries(
    JSON.parse(fs.readFileSync(values.vectors, 'utf8')) as Record<string, number[]>,
  ))
    vectorOf.set(question, Float32Array.from(vector));
const missing = questions.filter((question) => !vectorOf.has(question));
if (missing.length > 0) {
  const embedder = createLocalEmbedder({ inProcess: true });
  const { embeddings } = await embedMany(embedder, missing);
  for (const [i, question] of missing.entries()) vectorOf.set(question, embeddings[i] as Float32Array);
  await embedder.close();
  if (values.vectors)
    fs.writeFileSync(
      values.vectors,
      JSON.stringify(Object.fromEntries([...vectorOf].map(([question, vector]) => [question, [...vector]]))),
    );
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-cache-safety-'));
const file = path.join(dir, 'index.db');
// Two handles on one cache file: the threshold alone (the old behaviour), and with the check.
const thresholdOnly = createAnswerCache(openSqliteAnswerCache(file), { sameQuestion: () => true });
const checked = createAnswerCache(openSqliteAnswerCache(file));
for (const [i, pair] of suite.entries())
  await checked.put({
    namespace: `pair-${i}`,
    fingerprint: 'bench',
    question: pair.a,
    embedding: vectorOf.get(pair.a) as Float32Array,
    value: { answer: `answer to ${pair.a}` },
    citedVersions: [],
  });

const served = async (cache: typeof checked, i: number, threshold: number) =>
  (await cache.lookupSemantic({
    namespace: `pair-${i}`,
    fingerprint: 'bench',
    question: (suite[i] as Pair).b,
    embedding: vectorOf.get((suite[i] as Pair).b) as Float32Array,
    minSimilarity: threshold,
  })) !== undefined;

interface Outcome {
  threshold: number;
  check: boolean;
  wrong: number;
  perturbed: number;
  outOfScopeWrong: number;
  outOfScope: number;
  hits: number;
  paraphrases: number;
  goldenHits: number;
  goldenParaphrases: number;
  wrongPairs: Pair[];
  missedPairs: Pair[];
}

async function evaluate(split: Split, threshold: number, check: boolean): Promise<Outcome> {
  const outcome: Outcome = {
    threshold,
    check,
    wrong: 0,
    perturbed: 0,
    outOfScopeWrong: 0,
    outOfScope: 0,
    hits: 0,
    paraphrases: 0,
    goldenHits: 0,
    goldenParaphrases: 0,
    wrongPairs: [],
    missedPairs: [],
  };
  for (const [i, pair] of suite.entries()) {
    if (pair.split !== split) continue;
    const hit = await served(check ? checked : thresholdOnly, i, threshold);
    if (pair.same) {
      outcome.paraphrases += 1;
      outcome.hits += Number(hit);
      if (pair.source === 'golden') {
        outcome.goldenParaphrases += 1;
        outcome.goldenHits += Number(hit);
      }
      if (!hit) outcome.missedPairs.push(pair);
    } else if (IN_SCOPE.has(pair.kind)) {
      outcome.perturbed += 1;
      outcome.wrong += Number(hit);
      if (hit) outcome.wrongPairs.push(pair);
    } else {
      outcome.outOfScope += 1;
      outcome.outOfScopeWrong += Number(hit);
      if (hit) outcome.wrongPairs.push(pair);
    }
  }
  return outcome;
}

const pct = (n: number, d: number) => (d === 0 ? '—' : `${((100 * n) / d).toFixed(1)}%`);
const THRESHOLDS = [0.7, 0.75, 0.8, 0.85, 0.88, 0.9, 0.92, 0.94, 0.96, 0.98];

// The default: on dev, with the check, the lowest threshold with no wrong serve of an in-scope
// perturbation (the lowest keeps the most paraphrase hits).
const devRuns: Outcome[] = [];
for (const threshold of THRESHOLDS) devRuns.push(await evaluate('dev', threshold, true));
const chosen = devRuns.find((run) => run.wrong === 0)?.threshold;

const count = (split: Split, test: (pair: Pair) => boolean) =>
  suite.filter((pair) => pair.split === split && test(pair)).length;
console.log(
  `\nperturbation suite: ${suite.length} pairs (${suite.filter((p) => p.same).length} true paraphrases, ` +
    `${suite.filter((p) => !p.same && IN_SCOPE.has(p.kind)).length} in-scope perturbations, ` +
    `${suite.filter((p) => !p.same && !IN_SCOPE.has(p.kind)).length} related different questions); ` +
    `dev ${count('dev', () => true)}, test ${count('test', () => true)}`,
);
const kinds = [...new Set(suite.map((pair) => `${pair.source}/${pair.kind}`))].sort();
console.log(
  `\n${markdownTable(
    ['source/kind', 'same', 'dev', 'test'],
    kinds.map((key) => [
      key,
      String(suite.find((pair) => `${pair.source}/${pair.kind}` === key)?.same),
      count('dev', (pair) => `${pair.source}/${pair.kind}` === key),
      count('test', (pair) => `${pair.source}/${pair.kind}` === key),
    ]),
  )}`,
);
console.log(`\nthreshold chosen on dev (lowest with no wrong serve, check on): ${chosen ?? 'none'}`);

for (const split of ['dev', 'test'] as const) {
  const rows: (string | number)[][] = [];
  for (const threshold of THRESHOLDS)
    for (const check of [false, true]) {
      const run = await evaluate(split, threshold, check);
      rows.push([
        `${threshold}${threshold === chosen ? ' (chosen)' : ''}`,
        check ? 'threshold + same-question check' : 'threshold only (old)',
        `${run.wrong}/${run.perturbed}`,
        pct(run.wrong, run.perturbed),
        `${run.outOfScopeWrong}/${run.outOfScope}`,
        `${run.hits}/${run.paraphrases}`,
        pct(run.hits, run.paraphrases),
        pct(run.goldenHits, run.goldenParaphrases),
      ]);
    }
  console.log(`\n${split} split\n`);
  console.log(
    markdownTable(
      [
        'threshold',
        'semantic tier',
        'wrong serves (in-scope perturbations)',
        'wrong-serve rate',
        'wrong serves (related different questions)',
        'paraphrase hits',
        'paraphrase hit rate',
        'golden paraphrase hit rate',
      ],
      rows,
    ),
  );
}

// Which kinds still get through, and why paraphrases are missed, at the chosen threshold (or
// the old default when no threshold qualifies).
const shown = chosen ?? 0.85;
for (const split of ['dev', 'test'] as const) {
  const run = await evaluate(split, shown, true);
  const byKind = new Map<string, number>();
  for (const pair of run.wrongPairs) byKind.set(pair.kind, (byKind.get(pair.kind) ?? 0) + 1);
  const missedBy = new Map<string, number>();
  for (const pair of run.missedPairs) {
    const reason = questionDifference(pair.a, pair.b) ?? 'similarity below threshold';
    missedBy.set(reason, (missedBy.get(reason) ?? 0) + 1);
  }
  console.log(
    `\n${split} at ${shown}: served although different, by kind: ${JSON.stringify(Object.fromEntries(byKind))}; ` +
      `paraphrases missed, by reason: ${JSON.stringify(Object.fromEntries(missedBy))}`,
  );
  if (values.show === split) {
    for (const pair of run.wrongPairs) console.log(`  served ${pair.kind}: ${pair.a}  =>  ${pair.b}`);
    for (const pair of run.missedPairs)
      console.log(
        `  missed (${questionDifference(pair.a, pair.b) ?? 'similarity'}): ${pair.a}  =>  ${pair.b}`,
      );
  }
}

await thresholdOnly.close();
await checked.close();
fs.rmSync(dir, { recursive: true, force: true });
