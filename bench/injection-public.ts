/**
 * Prompt-injection detection on data we did not write (deepset, BIPIA planted in e-mails) and on
 * ours (corpus/injection-extra.jsonl, corpus/injection-suite.jsonl), then false positives on
 * ordinary documents (Vitest docs, SciFact abstracts, BIPIA e-mails, third-party READMEs from
 * node_modules), for the rules alone, the classifier alone, both (what cairn ships) and the
 * keyword-list baseline. Dev is where the thresholds were chosen; test was never used to fit or
 * tune. Documents are scored whole, as ingest does (one verdict per document), and the cost per
 * 1,000 characters is measured on the ordinary documents.
 *
 *   npx tsx scripts/train-injection-classifier.ts   # only after changing data or features
 *   npx tsx bench/injection-public.ts
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type DataSplit,
  type LabelledText,
  loadBipiaEmails,
  loadDeepset,
  loadExtra,
  loadScifact,
  loadSuite,
  loadVitestDocs,
  passageSized,
  plantedBipia,
  sharedDir,
  splitOf,
} from '../src/evaluate/injection-data.ts';
import { classifyInjection, detectInjection, injectionClassifierFile } from '../src/guard/index.ts';
import { keywordFlags } from './lib/keyword-baseline.ts';
import { markdownTable } from './lib/markdown-table.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const shared = sharedDir(root);

const deepset = loadDeepset(shared);
const extra = loadExtra(path.join(root, 'corpus/injection-extra.jsonl'));
const suite = loadSuite(path.join(root, 'corpus/injection-suite.jsonl'));
const planted = plantedBipia(shared);
const emails = loadBipiaEmails(shared);
const vitest = loadVitestDocs(shared);
const scifact = loadScifact(shared);
const readmes = loadReadmes();

/** Third-party READMEs installed in node_modules, and ours: badges, links, code. Never trained on. */
function loadReadmes(): LabelledText[] {
  const modules = path.join(root, 'node_modules');
  const dirs = fs
    .readdirSync(modules)
    .flatMap((name) =>
      name.startsWith('@')
        ? fs.readdirSync(path.join(modules, name)).map((sub) => path.join(modules, name, sub))
        : [path.join(modules, name)],
    );
  const files = [path.join(root, 'README.md'), ...dirs.map((dir) => path.join(dir, 'README.md'))];
  return files
    .filter((file) => fs.existsSync(file))
    .sort()
    .map((file) => {
      const id = `readme:${path.relative(root, file)}`;
      const split: DataSplit = splitOf(id) === 'test' ? 'test' : 'dev';
      return {
        id,
        set: 'extra',
        channel: 'document',
        attack: false,
        split,
        text: fs.readFileSync(file, 'utf8'),
      };
    });
}

type Detector = (item: LabelledText) => boolean;
const detectors: [string, Detector][] = [
  ['rules', (item) => detectInjection(item.text, { classifier: false }).flagged],
  ['classifier', (item) => classifyInjection(item.text, item.channel).flagged],
  ['rules + classifier (cairn)', (item) => detectInjection(item.text, { channel: item.channel }).flagged],
  ['keyword baseline', (item) => keywordFlags(item.text)],
];

const pct = (part: number, whole: number) => (whole === 0 ? '—' : `${((part / whole) * 100).toFixed(1)}%`);

function cell(items: LabelledText[], detect: Detector): string {
  const attacks = items.filter((item) => item.attack);
  const benign = items.filter((item) => !item.attack);
  const parts: string[] = [];
  if (attacks.length > 0) {
    const hit = attacks.filter(detect).length;
    parts.push(`${pct(hit, attacks.length)} (${hit}/${attacks.length})`);
  }
  if (benign.length > 0) {
    const fp = benign.filter(detect).length;
    parts.push(`FP ${pct(fp, benign.length)} (${fp}/${benign.length})`);
  }
  return parts.join(' · ');
}

for (const split of ['test', 'dev'] as const) {
  const of = (items: LabelledText[]) => items.filter((item) => item.split === split);
  const question = (items: LabelledText[]) => of(items).filter((item) => item.channel === 'question');
  const document = (items: LabelledText[]) => of(items).filter((item) => item.channel === 'document');
  const lang = (code: string) => question(extra).filter((item) => item.group === code);
  const position = (where: string) => of(planted).filter((item) => item.id.endsWith(`:${where}`));
  const sets: [string, LabelledText[]][] = [
    ['deepset user turns (EN+DE, public)', of(deepset)],
    ['extra questions, EN (ours)', lang('en')],
    ['extra questions, DE (ours)', lang('de')],
    ['extra questions, FR (ours)', lang('fr')],
    ['extra questions, ES (ours)', lang('es')],
    ['extra documents (ours)', document(extra)],
    ['suite questions (ours)', question(suite)],
    ['suite documents (ours)', document(suite)],
    ['BIPIA planted in e-mails, start', position('start')],
    ['BIPIA planted, middle', position('middle')],
    ['BIPIA planted, end', position('end')],
    ['BIPIA planted, text attacks', of(planted).filter((item) => item.group?.startsWith('text'))],
    ['BIPIA planted, code attacks', of(planted).filter((item) => item.group?.startsWith('code'))],
    ['all benign prompts (deepset + extra)', [...of(deepset), ...question(extra)].filter((i) => !i.attack)],
    ['BIPIA e-mails, no attack', of(emails)],
    ['Vitest docs, per page', of(vitest)],
    ['SciFact abstracts', of(scifact)],
    ['READMEs (node_modules + ours)', of(readmes)],
  ];
  const rows = sets
    .filter(([, items]) => items.length > 0)
    .map(([name, items]) => [name, ...detectors.map(([, detect]) => cell(items, detect))]);
  console.log(`\n${split} split: share of attacks detected · false positives on benign items\n`);
  console.log(markdownTable(['set', ...detectors.map(([name]) => name)], rows));
}

// The query-time passage screen: share of passage-sized pieces of ordinary text it would take a
// sentence out of, and of planted e-mails it would screen.
const screened = (item: LabelledText) => classifyInjection(item.text, 'passage').flagged;
for (const split of ['test', 'dev'] as const) {
  const of = (items: LabelledText[]) => items.filter((item) => item.split === split);
  const rows: [string, LabelledText[]][] = [
    ['BIPIA planted in e-mails (whole e-mail)', of(planted)],
    ['BIPIA e-mails, no attack (passages)', passageSized(of(emails))],
    ['Vitest docs (passages)', passageSized(of(vitest))],
    ['SciFact abstracts (passages)', passageSized(of(scifact))],
    ['READMEs (passages)', passageSized(of(readmes))],
  ];
  console.log(
    `\n${split} split: passage screen (threshold ${injectionClassifierFile().thresholds.passage})\n`,
  );
  console.log(
    markdownTable(
      ['set', 'screened'],
      rows.map(([name, items]) => [name, cell(items, screened)]),
    ),
  );
}

// Cost on ordinary documents, whole documents as ingest scans them.
const ordinary = [...vitest, ...readmes, ...scifact.filter((_, index) => index % 5 === 0)];
const chars = ordinary.reduce((sum, item) => sum + item.text.length, 0);
const costRows = detectors.slice(0, 3).map(([name, detect]) => {
  detect(ordinary[0] as LabelledText);
  const started = performance.now();
  for (const item of ordinary) detect({ ...item, channel: 'document' });
  return [name, (((performance.now() - started) / chars) * 1000).toFixed(3)];
});
console.log(`\nCost on ${ordinary.length} ordinary documents (${(chars / 1e6).toFixed(2)} M characters)\n`);
console.log(markdownTable(['detector', 'ms per 1,000 characters'], costRows));
const { thresholds } = injectionClassifierFile();
console.log(
  `\nthresholds (chosen on dev): question ${thresholds.question}, document ${thresholds.document}, passage ${thresholds.passage}`,
);
