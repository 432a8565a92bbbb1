/**
 * Cost of the ingest-time guard on ordinary documents (the Vitest docs and SciFact abstracts, read
 * in place from ../shared): milliseconds per 1,000 characters for the injection detector
 * (`detectInjection(text, { channel: 'document' })`), for PII detection (`detectPii`) and for
 * both, each the median of `--rounds` timed passes over every document after one warm-up pass.
 * Also counts what PII detection finds in these documents, which hold no personal data beyond
 * examples such as `127.0.0.1`; `--list` prints every span so each can be judged.
 *
 *   npx tsx bench/guard-cost.ts [--rounds 5] [--list]
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadScifact, loadVitestDocs, sharedDir } from '../src/evaluate/injection-data.ts';
import { detectInjection, detectPii, PII_TYPES } from '../src/guard/index.ts';
import { reportFigure } from './lib/figures.ts';
import { fixed, markdownTable } from './lib/markdown-table.ts';

const { values } = parseArgs({
  options: { rounds: { type: 'string', default: '5' }, list: { type: 'boolean', default: false } },
});
const rounds = Math.max(1, Number(values.rounds));
const shared = sharedDir(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..'));
const corpora = [
  { name: 'Vitest docs', texts: loadVitestDocs(shared).map((item) => item.text) },
  { name: 'SciFact abstracts', texts: loadScifact(shared).map((item) => item.text) },
];

const stages: [string, (text: string) => unknown][] = [
  ['injection', (text) => detectInjection(text, { channel: 'document' })],
  ['pii', (text) => detectPii(text)],
  [
    'total',
    (text) => {
      detectInjection(text, { channel: 'document' });
      detectPii(text);
    },
  ],
];

function msPer1000(texts: readonly string[], run: (text: string) => unknown): number {
  const characters = texts.reduce((sum, text) => sum + text.length, 0);
  for (const text of texts) run(text);
  const samples: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const started = performance.now();
    for (const text of texts) run(text);
    samples.push(performance.now() - started);
  }
  samples.sort((a, b) => a - b);
  return ((samples[Math.floor(samples.length / 2)] as number) / characters) * 1000;
}

const costRows = corpora.map(({ name, texts }) => {
  const costs = stages.map(([stage, run]) => {
    const cost = msPer1000(texts, run);
    if (stage === 'total')
      reportFigure(`guard-cost.${name.split(' ')[0]?.toLowerCase()}-ms-per-1000-chars`, cost);
    return fixed(cost, 3);
  });
  return [name, String(texts.length), String(texts.reduce((sum, text) => sum + text.length, 0)), ...costs];
});
console.log(`\nGuard cost, ms per 1,000 characters (median of ${rounds} passes, Node ${process.version})\n`);
console.log(markdownTable(['corpus', 'documents', 'characters', ...stages.map(([name]) => name)], costRows));

const found = corpora.map(({ name, texts }) => ({ name, spans: texts.flatMap((text) => detectPii(text)) }));
console.log('\nPII spans found in these documents, per type\n');
console.log(
  markdownTable(
    ['corpus', ...PII_TYPES],
    found.map(({ name, spans }) => [
      name,
      ...PII_TYPES.map((type) => String(spans.filter((span) => span.type === type).length)),
    ]),
  ),
);
if (values.list) {
  for (const { name, spans } of found) {
    console.log(`\n${name}:`);
    for (const span of spans) console.log(`  ${span.type} ${JSON.stringify(span.text)}`);
  }
}
