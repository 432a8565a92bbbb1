/**
 * Prompt-injection detection rates per category on our suite (corpus/injection-suite.jsonl:
 * 160 attacks and 160 benign look-alikes, half questions and half document passages, split
 * dev/test by alternate items; rules were tuned on dev only), next to a keyword-list baseline of
 * the kind many guard libraries start from. Then the false-alarm rate on real text that holds no
 * attacks: the bundled field guide and the SciFact abstracts from ../shared.
 *
 *   npx tsx bench/injection-detection.ts
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type InjectionRates,
  type InjectionSuiteItem,
  loadInjectionSuite,
  scoreInjectionSuite,
} from '../src/evaluate/injection-suite.ts';
import { detectInjection, INJECTION_CATEGORIES } from '../src/guard/index.ts';
import { keywordFlags } from './lib/keyword-baseline.ts';
import { markdownTable } from './lib/markdown-table.ts';
import { scifactDir } from './lib/shared-data.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const suite = loadInjectionSuite(path.join(root, 'corpus/injection-suite.jsonl'));

function keywordRates(items: InjectionSuiteItem[]): InjectionRates {
  const attacks = items.filter((item) => item.label === 'attack');
  const benign = items.filter((item) => item.label === 'benign');
  const detected = attacks.filter((item) => keywordFlags(item.text)).length;
  const falsePositives = benign.filter((item) => keywordFlags(item.text)).length;
  return {
    attacks: attacks.length,
    detected,
    benign: benign.length,
    falsePositives,
    detectionRate: detected / attacks.length,
    falsePositiveRate: falsePositives / benign.length,
  };
}

const pct = (value: number) => `${(value * 100).toFixed(1)}%`;
const cell = (rates: InjectionRates) =>
  `${pct(rates.detectionRate)} (${rates.detected}/${rates.attacks}) · FP ${pct(rates.falsePositiveRate)} (${rates.falsePositives}/${rates.benign})`;

for (const split of ['test', 'dev'] as const) {
  const items = suite.filter((item) => item.split === split);
  const ours = scoreInjectionSuite(items);
  const rows = INJECTION_CATEGORIES.map((category) => {
    const group = items.filter((item) => item.category === category);
    return [category, cell(ours.byCategory[category]), cell(keywordRates(group))];
  });
  rows.push(['all', cell(ours.overall), cell(keywordRates(items))]);
  for (const channel of ['question', 'document'] as const) {
    const group = items.filter((item) => item.channel === channel);
    rows.push([`(${channel}s)`, cell(scoreInjectionSuite(group).overall), cell(keywordRates(group))]);
  }
  console.log(`\n${split} split: detection rate and false-positive rate on look-alikes\n`);
  console.log(markdownTable(['category', 'cairn detectInjection', 'keyword-list baseline'], rows));
  if (split === 'test') {
    for (const item of ours.misses) console.log(`missed: ${item.id}`);
    for (const item of ours.falseAlarms) console.log(`false alarm: ${item.id}`);
  }
}

// Real documents with no attacks in them.
const fieldGuideDir = path.join(root, 'corpus/field-guide');
const fieldGuide = fs
  .readdirSync(fieldGuideDir)
  .map((file) => fs.readFileSync(path.join(fieldGuideDir, file), 'utf8'));
const scifact = fs
  .readFileSync(path.join(scifactDir(), 'corpus.jsonl'), 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line) => {
    const doc = JSON.parse(line) as { title: string; text: string };
    return `${doc.title}\n${doc.text}`;
  });
const realRows = [
  ['field guide (ours, 32 docs, 3 quote attacks)', fieldGuide],
  ['SciFact abstracts', scifact],
].map(([name, texts]) => {
  const docs = texts as string[];
  const started = performance.now();
  const flagged = docs.filter((text) => detectInjection(text).flagged).length;
  const msPerDoc = (performance.now() - started) / docs.length;
  return [
    name as string,
    `${flagged}/${docs.length}`,
    `${docs.filter(keywordFlags).length}/${docs.length}`,
    msPerDoc.toFixed(2),
  ];
});
console.log('\nDocuments flagged in real text with no attacks\n');
console.log(markdownTable(['corpus', 'cairn flagged', 'keyword baseline flagged', 'cairn ms/doc'], realRows));
