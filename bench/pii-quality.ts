/**
 * PII detection precision and recall per type on a synthetic labelled set generated here (seeded):
 * sentences carrying valid values of every type in several formats, mixed with look-alikes that
 * must not be flagged (Luhn-failing card numbers, bad IBAN check digits, order numbers, dates,
 * versions, never-issued SSNs, out-of-range IPs). A detection counts when type and span match
 * exactly. The generator is ours and so are the detectors: read the figures as "the detectors do
 * what they claim on these shapes", not as real-world recall.
 *
 *   npx tsx bench/pii-quality.ts [--sentences 2000] [--seed 7]
 */
import { parseArgs } from 'node:util';
import { seededRandom } from '../src/evaluate/compare/seeded-random.ts';
import { detectPii, luhnOk, PII_TYPES, type PiiType } from '../src/guard/index.ts';
import { fixed, markdownTable } from './lib/markdown-table.ts';

const { values } = parseArgs({
  options: { sentences: { type: 'string', default: '2000' }, seed: { type: 'string', default: '7' } },
});
const random = seededRandom(Number(values.seed));
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
const digits = (count: number) => Array.from({ length: count }, () => Math.floor(random() * 10)).join('');
const letters = (count: number, alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ') =>
  Array.from({ length: count }, () => pick([...alphabet])).join('');

function card(): string {
  for (;;) {
    const number = pick(['4', '51', '37', '6011']) + digits(15);
    const body = number.slice(0, 15);
    for (let check = 0; check <= 9; check++) {
      const candidate = `${body}${check}`;
      if (luhnOk(candidate))
        return pick([
          candidate.replace(/(\d{4})(?=\d)/g, '$1 '),
          candidate.replace(/(\d{4})(?=\d)/g, '$1-'),
          candidate,
        ]);
    }
  }
}
function badCard(): string {
  for (;;) {
    const candidate = `4${digits(15)}`;
    if (!luhnOk(candidate)) return candidate.replace(/(\d{4})(?=\d)/g, '$1 ');
  }
}
function iban(valid = true): string {
  const [country, bban] = pick([
    ['DE', digits(18)],
    ['GB', `${letters(4)}${digits(14)}`],
    ['FR', digits(23)],
    ['NL', `${letters(4)}${digits(10)}`],
  ] as const);
  const numeric = [...`${bban}${country}00`]
    .map((c) => (/\d/.test(c) ? c : String(c.charCodeAt(0) - 55)))
    .join('');
  let remainder = 0;
  for (const digit of numeric) remainder = (remainder * 10 + Number(digit)) % 97;
  let check = 98 - remainder;
  if (!valid) check = ((check + 1 + Math.floor(random() * 90)) % 97) + 2;
  const compact = `${country}${String(check).padStart(2, '0')}${bban}`;
  return random() < 0.5 ? compact : compact.replace(/(.{4})(?=.)/g, '$1 ');
}
const email = () =>
  `${pick(['ana', 'li.wei', 'j.smith', 'o_connor', 'devops+alerts', 'k.nakamura'])}${digits(2)}@${pick(['example.org', 'mail.example.com', 'corp.example.co.uk', 'example.io'])}`;
const phone = () =>
  pick([
    () => `+44 20 ${digits(4)} ${digits(4)}`,
    () => `+1 (${digits(3)}) ${digits(3)}-${digits(4)}`,
    () => `(${digits(3)}) ${digits(3)}-${digits(4)}`,
    () => `+49 30 ${digits(3)} ${digits(4)}`,
    () => `0${digits(2)} ${digits(3)} ${digits(2)} ${digits(2)}`,
  ])();
const ssn = () =>
  `${pick(['123', '219', '457', '532', '078'])}-${pick(['09', '45', '12'])}-${pick(['9999', '1234', '5678'])}`;
const ip = () =>
  random() < 0.8
    ? Array.from({ length: 4 }, () => Math.floor(random() * 256)).join('.')
    : Array.from({ length: 8 }, () =>
        Math.floor(random() * 65536)
          .toString(16)
          .padStart(4, '0'),
      ).join(':');
const secret = () =>
  pick([
    () => `sk-proj-${letters(12, 'abcdefghijklmnopqrstuvwxyz0123456789')}${digits(10)}`,
    () => `ghp_${letters(36, 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789')}`,
    () => `AKIA${letters(16, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567')}`,
    () => `xoxb-${digits(11)}-${letters(16, 'abcdefghijklmnopqrstuvwxyz0123456789')}`,
  ])();
const GENERATORS: Record<PiiType, () => string> = {
  email,
  phone,
  credit_card: card,
  iban: () => iban(true),
  national_id: ssn,
  ip_address: ip,
  secret,
};
const LOOK_ALIKES = [
  badCard,
  () => iban(false),
  () => `order ${digits(8)}`,
  () => `2025-${pick(['01', '06', '11'])}-${pick(['03', '17', '28'])}`,
  () => `v${digits(1)}.${digits(1)}.${digits(2)}`,
  () => `${pick(['000', '666', '901'])}-${digits(2)}-${digits(4)}`,
  () => `${pick(['300', '256', '999'])}.${digits(1)}.${digits(1)}.${digits(1)}`,
  () => `${digits(4)} ms`,
  () => `ticket #${digits(6)}`,
];
const FRAMES = [
  (value: string) => `Please contact ${value} about the renewal.`,
  (value: string) => `The form listed ${value} next to the customer's name.`,
  (value: string) => `Logged value: ${value}; see the audit trail.`,
  (value: string) => `${value} was pasted into the chat by the user.`,
];

const labels: { sentence: string; spans: { type: PiiType; start: number; end: number }[] }[] = [];
for (let index = 0; index < Number(values.sentences); index++) {
  const parts: string[] = [];
  const spans: { type: PiiType; start: number; end: number }[] = [];
  const pieces = 1 + Math.floor(random() * 2);
  for (let piece = 0; piece < pieces; piece++) {
    const prefix = parts.join(' ') + (parts.length > 0 ? ' ' : '');
    const frame = pick(FRAMES);
    if (random() < 0.65) {
      const type = pick(PII_TYPES);
      const value = GENERATORS[type]();
      const sentence = frame(value);
      const offset = prefix.length + sentence.indexOf(value);
      spans.push({ type, start: offset, end: offset + value.length });
      parts.push(sentence);
    } else {
      parts.push(frame(pick(LOOK_ALIKES)()));
    }
  }
  labels.push({ sentence: parts.join(' '), spans });
}

const counts = new Map<PiiType, { tp: number; fp: number; fn: number }>(
  PII_TYPES.map((type) => [type, { tp: 0, fp: 0, fn: 0 }]),
);
for (const { sentence, spans } of labels) {
  const found = detectPii(sentence);
  for (const span of found) {
    const hit = spans.some(
      (gold) => gold.type === span.type && gold.start === span.start && gold.end === span.end,
    );
    const entry = counts.get(span.type) as { tp: number; fp: number; fn: number };
    if (hit) entry.tp += 1;
    else entry.fp += 1;
  }
  for (const gold of spans) {
    const hit = found.some(
      (span) => span.type === gold.type && span.start === gold.start && span.end === gold.end,
    );
    if (!hit) (counts.get(gold.type) as { fn: number }).fn += 1;
  }
}
const rows = PII_TYPES.map((type) => {
  const { tp, fp, fn } = counts.get(type) as { tp: number; fp: number; fn: number };
  return [
    type,
    String(tp + fn),
    fixed(tp / Math.max(1, tp + fp), 3),
    fixed(tp / Math.max(1, tp + fn), 3),
    String(fp),
    String(fn),
  ];
});
console.log(
  `\nPII detection on ${labels.length} synthetic sentences (seed ${values.seed}), exact type and span\n`,
);
console.log(markdownTable(['type', 'gold spans', 'precision', 'recall', 'false positives', 'missed'], rows));
