/**
 * PII detection on data we did not write: the 1,500 synthetic sentences of presidio-research's
 * `synth_dataset_v2.json` (../shared/bench-data/pii), read in place. Presidio's labels map to ours
 * (PHONE_NUMBER→phone, EMAIL_ADDRESS→email, CREDIT_CARD→credit_card, IBAN_CODE→iban,
 * US_SSN→national_id, IP_ADDRESS→ip_address); every other label (DATE_TIME, PERSON, ZIP_CODE …)
 * is not ours, so a detection on it is a false positive. The sentences split into dev and test by
 * FNV-1a of `presidio:<index>` (even: dev, odd: test); rules were tuned on dev only. Presidio has
 * no secrets, so that row stays empty.
 *
 *   npx tsx bench/pii-public.ts [--data path/to/presidio_synth_dataset_v2.json] [--errors dev|test]
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { detectPii, PII_TYPES, type PiiType } from '../src/guard/index.ts';
import { markdownTable } from './lib/markdown-table.ts';
import { errorsOf, type GoldSpan, SCORE_HEADER, type ScoredSentence, scoreSpans } from './lib/pii-scoring.ts';
import { BENCH_DATA } from './lib/shared-data.ts';

const { values } = parseArgs({
  options: {
    data: { type: 'string', default: path.join(BENCH_DATA, 'pii/presidio_synth_dataset_v2.json') },
    errors: { type: 'string' },
  },
});

const PRESIDIO_TYPES: Readonly<Record<string, PiiType>> = {
  PHONE_NUMBER: 'phone',
  EMAIL_ADDRESS: 'email',
  CREDIT_CARD: 'credit_card',
  IBAN_CODE: 'iban',
  US_SSN: 'national_id',
  IP_ADDRESS: 'ip_address',
};

const Sentence = z.object({
  full_text: z.string(),
  spans: z.array(z.object({ entity_type: z.string(), start_position: z.number(), end_position: z.number() })),
});

function splitOf(index: number): 'dev' | 'test' {
  const id = `presidio:${index}`;
  let hash = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) hash = Math.imul(hash ^ id.charCodeAt(i), 0x01000193);
  return (hash >>> 0) % 2 === 0 ? 'dev' : 'test';
}

if (!fs.existsSync(values.data)) {
  process.stderr.write(`presidio data not found at ${values.data} (pass --data).\n`);
  process.exit(2);
}
const sentences = z.array(Sentence).parse(JSON.parse(fs.readFileSync(values.data, 'utf8')));
const splits: Record<'dev' | 'test', ScoredSentence[]> = { dev: [], test: [] };
sentences.forEach((sentence, index) => {
  const gold: GoldSpan[] = sentence.spans.map((span) => ({
    type: PRESIDIO_TYPES[span.entity_type] ?? span.entity_type,
    start: span.start_position,
    end: span.end_position,
  }));
  splits[splitOf(index)].push({ text: sentence.full_text, gold, found: detectPii(sentence.full_text) });
});

for (const split of ['dev', 'test'] as const) {
  console.log(`\npresidio synth_dataset_v2, ${split} (${splits[split].length} sentences)\n`);
  console.log(markdownTable(SCORE_HEADER, scoreSpans(splits[split], PII_TYPES)));
}
if (values.errors === 'dev' || values.errors === 'test') {
  console.log(`\nErrors on ${values.errors}:`);
  for (const sentence of splits[values.errors]) {
    const errors = errorsOf(sentence, PII_TYPES);
    if (errors.length > 0) console.log(`\n${JSON.stringify(sentence.text)}\n  ${errors.join('\n  ')}`);
  }
}
