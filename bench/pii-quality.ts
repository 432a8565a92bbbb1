/**
 * PII detection precision and recall per type on a synthetic labelled set generated here (seeded):
 * sentences carrying valid values of every type in international formats (UK, French, German,
 * Japanese, Indian, US and E.164 phones, `00` prefixes; IBANs in upper or lower case, spaced or
 * hyphenated; compressed IPv6; cards grouped by spaces, dashes or dots; SSNs with and without
 * dashes; every secret kind of issue #12), mixed with look-alikes that must not be flagged (dates,
 * ISO timestamps, versions, order and invoice numbers, Luhn-failing cards, bad IBAN check digits,
 * placeholder secrets, counts and ranges). Phones are built from real numbering plans by hand,
 * not filtered through libphonenumber, so the detector's own validation cannot shape the set.
 * Scored under two span rules: overlap (same type, spans overlap) and exact (same type and span).
 * The generator is ours and so are the detectors: read the figures as "the detectors do what they
 * claim on these shapes", not as real-world recall.
 *
 *   npx tsx bench/pii-quality.ts [--sentences 3000] [--seed 7] [--errors]
 */
import { parseArgs } from 'node:util';
import { seededRandom } from '../src/evaluate/compare/seeded-random.ts';
import { detectPii, luhnOk, PII_TYPES, type PiiType } from '../src/guard/index.ts';
import { fixed, markdownTable } from './lib/markdown-table.ts';
import { errorsOf, type GoldSpan, SCORE_HEADER, type ScoredSentence, scoreSpans } from './lib/pii-scoring.ts';

const { values } = parseArgs({
  options: {
    sentences: { type: 'string', default: '3000' },
    seed: { type: 'string', default: '7' },
    errors: { type: 'boolean', default: false },
  },
});
const random = seededRandom(Number(values.seed));
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
const digits = (count: number) => Array.from({ length: count }, () => Math.floor(random() * 10)).join('');
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const chars = (count: number, alphabet = ALNUM) =>
  Array.from({ length: count }, () => pick([...alphabet])).join('');
const base64url = (value: string) => Buffer.from(value).toString('base64url');

/**
 * One generated value: `text` goes into the sentence; `redact` is the part a reader would redact
 * (the password of a URL, the value after `password=`), the whole text when absent.
 */
interface Sample {
  kind: string;
  text: string;
  redact?: string;
  /** For a look-alike: the one type it must not be flagged as; absent means any type. */
  notAs?: PiiType;
}
type Generator = () => Sample;

const US_AREA = ['212', '415', '617', '312', '206', '303', '512', '702', '646', '213'];
const usLine = () => `${pick(['2', '3', '4', '6', '7', '8'])}${digits(2)}`;
const PHONES: Generator[] = [
  () => ({ kind: 'UK mobile', text: `07${pick(['4', '5', '7', '8', '9'])}${digits(2)} ${digits(6)}` }),
  () => ({ kind: 'UK mobile +44', text: `+44 7${pick(['4', '5', '7', '8', '9'])}${digits(2)} ${digits(6)}` }),
  () => ({ kind: 'UK London', text: `020 7${digits(3)} ${digits(4)}` }),
  () => ({
    kind: 'FR',
    text: `0${pick(['1', '2', '3', '4', '5', '6', '7'])} ${digits(2)} ${digits(2)} ${digits(2)} ${digits(2)}`,
  }),
  () => ({
    kind: 'FR +33',
    text: `+33 ${pick(['6', '7', '1'])} ${digits(2)} ${digits(2)} ${digits(2)} ${digits(2)}`,
  }),
  () => ({ kind: 'DE Berlin', text: `030 ${pick(['2', '3', '4', '6', '8'])}${digits(7)}` }),
  () => ({ kind: 'DE mobile +49', text: `+49 15${pick(['1', '2', '7'])} ${digits(8)}` }),
  () => ({ kind: 'DE 0049', text: `0049 30 ${pick(['2', '3', '4', '6', '8'])}${digits(7)}` }),
  () => ({ kind: 'JP Tokyo', text: `03-${pick(['3', '5', '6'])}${digits(3)}-${digits(4)}` }),
  () => ({ kind: 'JP mobile +81', text: `+81 ${pick(['90', '80', '70'])}-${digits(4)}-${digits(4)}` }),
  () => ({
    kind: 'IN mobile +91',
    text: `+91 ${pick(['98', '97', '91', '88', '70'])}${digits(3)} ${digits(5)}`,
  }),
  () => ({ kind: 'US', text: `(${pick(US_AREA)}) ${usLine()}-${digits(4)}` }),
  () => ({ kind: 'US +1', text: `+1 ${pick(US_AREA)}-${usLine()}-${digits(4)}` }),
  () => ({ kind: 'UK mobile compact', text: `07${pick(['4', '5', '7', '8', '9'])}${digits(8)}` }),
  () => ({ kind: 'UK +44 (0)', text: `+44 (0)20 7${digits(3)} ${digits(4)}` }),
  () => ({ kind: 'US dotted', text: `${pick(US_AREA)}.${usLine()}.${digits(4)}` }),
  () => ({
    kind: 'US with extension',
    text: `+1 ${pick(US_AREA)}-${usLine()}-${digits(4)} ext. ${digits(3)}`,
  }),
  () => ({ kind: 'DE slash', text: `030/${pick(['2', '3', '4', '6', '8'])}${digits(7)}` }),
  () => ({ kind: 'NL +31', text: `+31 20 ${pick(['5', '6', '7'])}${digits(2)} ${digits(4)}` }),
  () => ({
    kind: 'E.164',
    text: pick([
      () => `+1${pick(US_AREA)}${usLine()}${digits(4)}`,
      () => `+44207${digits(7)}`,
      () => `+336${digits(8)}`,
      () => `+4930${pick(['2', '3', '4', '6', '8'])}${digits(7)}`,
      () => `+8190${digits(8)}`,
      () => `+919${digits(9)}`,
    ])(),
  }),
];

function cardNumber(): string {
  for (;;) {
    const prefix = pick(['4', '51', '55', '6011', '2221']);
    const body = prefix + digits(15 - prefix.length);
    for (let check = 0; check <= 9; check++) if (luhnOk(`${body}${check}`)) return `${body}${check}`;
  }
}
function amexNumber(): string {
  for (;;) {
    const body = pick(['34', '37']) + digits(12);
    for (let check = 0; check <= 9; check++) if (luhnOk(`${body}${check}`)) return `${body}${check}`;
  }
}
const fours = (number: string, separator: string) => number.replace(/(\d{4})(?=\d)/g, `$1${separator}`);
const CARDS: Generator[] = [
  () => ({ kind: 'card spaced', text: fours(cardNumber(), ' ') }),
  () => ({ kind: 'card dashed', text: fours(cardNumber(), '-') }),
  () => ({ kind: 'card dotted', text: fours(cardNumber(), '.') }),
  () => ({ kind: 'card compact', text: cardNumber() }),
  () => {
    const amex = amexNumber();
    return { kind: 'card amex 4-6-5', text: `${amex.slice(0, 4)} ${amex.slice(4, 10)} ${amex.slice(10)}` };
  },
];

const IBAN_PLANS: [string, () => string][] = [
  ['DE', () => digits(18)],
  ['GB', () => `${chars(4, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ')}${digits(14)}`],
  ['FR', () => digits(23)],
  ['NL', () => `${chars(4, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ')}${digits(10)}`],
  ['ES', () => digits(20)],
  ['IT', () => `${chars(1, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ')}${digits(22)}`],
  ['CH', () => digits(17)],
  ['BE', () => digits(12)],
];
function ibanCompact(valid: boolean): string {
  const [country, bban] = pick(IBAN_PLANS);
  const body = bban();
  const numeric = [...`${body}${country}00`]
    .map((c) => (c <= '9' ? c : String(c.charCodeAt(0) - 55)))
    .join('');
  let remainder = 0;
  for (const digit of numeric) remainder = (remainder * 10 + Number(digit)) % 97;
  let check = 98 - remainder;
  if (!valid) check = ((check - 2 + 1 + Math.floor(random() * 95)) % 97) + 2;
  return `${country}${String(check).padStart(2, '0')}${body}`;
}
const groupsOfFour = (value: string, separator: string) => value.replace(/(.{4})(?=.)/g, `$1${separator}`);
const IBANS: Generator[] = [
  () => ({ kind: 'IBAN compact', text: ibanCompact(true) }),
  () => ({ kind: 'IBAN spaced', text: groupsOfFour(ibanCompact(true), ' ') }),
  () => ({ kind: 'IBAN lower case', text: groupsOfFour(ibanCompact(true), ' ').toLowerCase() }),
  () => ({ kind: 'IBAN hyphenated', text: groupsOfFour(ibanCompact(true), '-') }),
];

const hex4 = () => Math.floor(random() * 65536).toString(16);
const octet = () => String(Math.floor(random() * 256));
const IPS: Generator[] = [
  () => ({ kind: 'IPv4', text: [octet(), octet(), octet(), octet()].join('.') }),
  () => {
    const address = [octet(), octet(), octet(), octet()].join('.');
    return { kind: 'IPv4 with port', text: `${address}:${pick(['8080', '443', '5432'])}`, redact: address };
  },
  () => ({ kind: 'IPv6 full', text: Array.from({ length: 8 }, hex4).join(':') }),
  () => ({ kind: 'IPv6 compressed', text: `2001:db8::${hex4()}` }),
  () => ({ kind: 'IPv6 compressed', text: `fe80::${hex4()}:${hex4()}:${hex4()}:${hex4()}` }),
  () => ({ kind: 'IPv6 loopback', text: '::1' }),
  () => ({ kind: 'IPv6 mapped IPv4', text: `::ffff:${[octet(), octet(), octet(), octet()].join('.')}` }),
];

const ssnParts = () => [
  pick(['123', '219', '457', '532', '078', '601']),
  pick(['09', '45', '12', '77']),
  digits(3) + pick(['1', '5', '9']),
];
const SSNS: Generator[] = [
  () => ({ kind: 'SSN dashed', text: ssnParts().join('-') }),
  () => {
    const value = ssnParts().join('');
    return { kind: 'SSN no dashes, labelled', text: `SSN ${value}`, redact: value };
  },
  () => {
    const value = ssnParts().join(' ');
    return { kind: 'SSN spaced, labelled', text: `social security number ${value}`, redact: value };
  },
];

const EMAILS: Generator[] = [
  () => ({
    kind: 'e-mail',
    text: `${pick(['ana', 'li.wei', 'j.smith', 'o_connor', 'devops+alerts', 'k.nakamura'])}${digits(2)}@${pick(['example.org', 'mail.example.com', 'corp.example.co.uk', 'example.io'])}`,
  }),
  () => ({
    kind: 'e-mail, capitals',
    text: `${pick(['Ana.Lopez', 'J.Smith', 'INFO'])}@${pick(['Example.COM', 'Mail.Example.org'])}`,
  }),
];

function jwt(): string {
  const header = base64url(JSON.stringify({ alg: pick(['HS256', 'RS256', 'ES256']), typ: 'JWT' }));
  const payload = base64url(JSON.stringify({ sub: digits(10), name: 'Ana', iat: Number(digits(9)) }));
  return `${header}.${payload}.${chars(43, `${ALNUM}-_`)}`;
}
const SECRETS: Generator[] = [
  () => ({ kind: 'AWS access key id', text: `AKIA${chars(16, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567')}` }),
  () => {
    const value = chars(40, `${ALNUM}/+`);
    return { kind: 'AWS secret key', text: `aws_secret_access_key = ${value}`, redact: value };
  },
  () => ({ kind: 'GitHub classic', text: `ghp_${chars(36)}` }),
  () => ({ kind: 'GitHub fine-grained', text: `github_pat_${chars(22)}_${chars(59)}` }),
  () => ({ kind: 'Stripe', text: `${pick(['sk_test_', 'sk_live_', 'rk_live_'])}${chars(24)}` }),
  () => ({ kind: 'GitLab', text: `glpat-${chars(20, `${ALNUM}_-`)}` }),
  () => ({ kind: 'Anthropic', text: `sk-ant-api03-${chars(93, `${ALNUM}_-`)}AA` }),
  () => ({ kind: 'Hugging Face', text: `hf_${chars(34)}` }),
  () => ({ kind: 'Stripe webhook', text: `whsec_${chars(32)}` }),
  () => ({ kind: 'OpenAI', text: `sk-proj-${chars(48, `${ALNUM}_-`)}` }),
  () => ({ kind: 'JWT', text: jwt() }),
  () => ({ kind: 'Google API key', text: `AIza${chars(35, `${ALNUM}_-`)}` }),
  () => ({
    kind: 'Slack webhook',
    text: `https://hooks.slack.com/services/T${chars(8, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789')}/B${chars(8, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789')}/${chars(24)}`,
  }),
  () => ({ kind: 'Slack bot token', text: `xoxb-${digits(11)}-${digits(12)}-${chars(24)}` }),
  () => ({ kind: 'npm token', text: `npm_${chars(36)}` }),
  () => ({ kind: 'SendGrid', text: `SG.${chars(22, `${ALNUM}_-`)}.${chars(43, `${ALNUM}_-`)}` }),
  () => {
    const value = pick([jwt(), `${chars(39, `${ALNUM}-._~`)}${chars(1)}`]);
    return { kind: 'Bearer header', text: `Authorization: Bearer ${value}`, redact: value };
  },
  () => {
    const value = `${pick(['Tr0ub4dor', 'hunter', 'S3cure', 'Winter', 'pa55'])}${pick(['!', '#', '_', ''])}${digits(3)}`;
    return { kind: 'password=', text: `${pick(['password', 'DB_PASSWORD', 'pwd'])}=${value}`, redact: value };
  },
  () => {
    const value = `${chars(10)}${digits(2)}`;
    return {
      kind: 'password in URL',
      text: `${pick(['postgres', 'mysql', 'redis', 'mongodb'])}://${pick(['app', 'admin', 'svc_ingest'])}:${value}@db${digits(1)}.internal.example.com:5432/app`,
      redact: value,
    };
  },
  () => ({
    kind: 'PEM private key',
    text: `-----BEGIN RSA PRIVATE KEY-----\n${chars(64, `${ALNUM}+/`)}\n${chars(40, `${ALNUM}+/`)}=\n-----END RSA PRIVATE KEY-----`,
  }),
];

const GENERATORS: Record<PiiType, Generator[]> = {
  email: EMAILS,
  phone: PHONES,
  credit_card: CARDS,
  iban: IBANS,
  national_id: SSNS,
  ip_address: IPS,
  secret: SECRETS,
};

function badCard(): string {
  for (;;) {
    const candidate = `4${digits(15)}`;
    if (!luhnOk(candidate)) return fours(candidate, ' ');
  }
}
const month = () => pick(['01', '03', '06', '09', '11', '12']);
const day = () => pick(['03', '15', '17', '28']);
const clock = () =>
  `${pick(['00', '09', '14', '23'])}:${pick(['05', '22', '47'])}:${pick(['01', '19', '58'])}`;
const LOOK_ALIKES: Generator[] = [
  () => ({ kind: 'Luhn-failing card', text: badCard() }),
  () => ({ kind: 'bad IBAN check digits', text: groupsOfFour(ibanCompact(false), ' ') }),
  () => ({ kind: 'ISO date', text: `20${digits(2)}-${month()}-${day()}` }),
  () => ({ kind: 'ISO timestamp', text: `20${digits(2)}-${month()}-${day()} ${clock()}` }),
  () => ({ kind: 'ISO timestamp T', text: `20${digits(2)}-${month()}-${day()}T${clock()}Z` }),
  () => ({ kind: 'US date', text: `${month()}/${day()}/20${digits(2)}` }),
  () => ({ kind: 'time', text: clock() }),
  () => ({ kind: 'version', text: `${digits(1)}.${digits(2)}.${digits(1)}` }),
  () => ({ kind: 'version v', text: `v${digits(1)}.${digits(1)}.${digits(1)}` }),
  () => ({ kind: 'four-part version', text: `version ${digits(2)}.${digits(1)}.${digits(1)}.${digits(3)}` }),
  () => ({ kind: 'order number', text: `order ${digits(10)}` }),
  () => ({ kind: 'order number grouped', text: `order no. ${digits(5)} ${digits(5)}` }),
  () => ({
    kind: 'order number phone-like',
    text: `order number 0${digits(3)} ${digits(2)} ${digits(2)} ${digits(2)}`,
  }),
  () => ({ kind: 'invoice number', text: `invoice INV-20${digits(2)}-${digits(6)}` }),
  () => ({ kind: 'ticket number', text: `ticket #${digits(7)}` }),
  () => ({ kind: 'build number', text: `build ${digits(8)}.${digits(1)}` }),
  () => ({ kind: 'year range', text: `(19${digits(2)}-20${digits(2)})` }),
  () => ({ kind: 'count', text: `${digits(1)} ${digits(3)} ${digits(3)} participants` }),
  () => ({ kind: 'amount', text: `€${digits(3)} ${digits(3)} ${digits(3)}` }),
  () => ({ kind: 'decimal range', text: `${digits(3)}.${digits(2)}-${digits(3)}.${digits(1)}` }),
  () => ({ kind: 'never-issued SSN', text: `${pick(['000', '666', '901'])}-${digits(2)}-${digits(4)}` }),
  // A phone cue in the frame may make it a phone; it must never be an SSN without an SSN label.
  () => ({
    kind: '9 digits, no SSN label',
    text: `${pick(['219', '457'])}${digits(6)}`,
    notAs: 'national_id',
  }),
  () => ({
    kind: 'out-of-range IPv4',
    text: `${pick(['300', '256', '999'])}.${digits(1)}.${digits(1)}.${digits(1)}`,
  }),
  () => ({
    kind: 'MAC address',
    text: Array.from({ length: 6 }, () => chars(2, '0123456789ABCDEF')).join(':'),
  }),
  () => ({
    kind: 'placeholder password',
    text: `password=${pick(['changeme', '$DB_PASSWORD', '<password>', '****'])}`,
  }),
  () => ({
    kind: 'placeholder key',
    text: `api_key: ${pick(['your-api-key', 'process.env.API_KEY', 'xxxxxxxxxxxxxxxx'])}`,
  }),
  () => ({ kind: 'URL without password', text: `postgres://app@db.internal.example.com:5432/app` }),
  () => ({ kind: 'timestamp with offset', text: `20${digits(2)}-${month()}-${day()}T${clock()}+01:00` }),
  () => ({ kind: 'pre-release version', text: `${digits(1)}.${digits(1)}.${digits(1)}-beta.${digits(1)}` }),
  () => ({ kind: 'git commit', text: `commit ${chars(40, '0123456789abcdef')}` }),
  () => ({
    kind: 'UUID',
    text: [8, 4, 4, 4, 12].map((length) => chars(length, '0123456789abcdef')).join('-'),
  }),
  () => ({ kind: 'port', text: `port ${pick(['8080', '5432', '6379'])}` }),
  () => ({ kind: 'HTTP version', text: `HTTP/1.1 200` }),
  () => ({ kind: 'ISBN', text: `ISBN 978-${digits(1)}-${digits(2)}-${digits(6)}-${digits(1)}` }),
];
const FRAMES = [
  (value: string) => `Please contact ${value} about the renewal.`,
  (value: string) => `The form listed ${value} next to the customer's name.`,
  (value: string) => `Logged value: ${value}; see the audit trail.`,
  (value: string) => `${value} was pasted into the chat by the user.`,
  (value: string) => `Le client a noté ${value} dans le formulaire.`,
  (value: string) => `Im Formular stand ${value} ohne weitere Angaben.`,
];

interface Generated extends ScoredSentence {
  kinds: { kind: string; gold: boolean; start: number; end: number; type?: PiiType; notAs?: PiiType }[];
}
const sentences: Generated[] = [];
for (let index = 0; index < Number(values.sentences); index++) {
  let text = '';
  const gold: GoldSpan[] = [];
  const kinds: Generated['kinds'] = [];
  const pieces = 1 + Math.floor(random() * 2);
  for (let piece = 0; piece < pieces; piece++) {
    if (text !== '') text += ' ';
    const frame = pick(FRAMES);
    const isPii = random() < 0.65;
    const type = pick(PII_TYPES);
    const sample = isPii ? pick(GENERATORS[type])() : pick(LOOK_ALIKES)();
    const sentence = frame(sample.text);
    const redact = sample.redact ?? sample.text;
    const start = text.length + sentence.indexOf(sample.text) + sample.text.indexOf(redact);
    const span = { start, end: start + redact.length };
    if (isPii) gold.push({ type, ...span });
    kinds.push({
      kind: sample.kind,
      gold: isPii,
      ...span,
      ...(isPii ? { type } : {}),
      ...(sample.notAs ? { notAs: sample.notAs } : {}),
    });
    text += sentence;
  }
  sentences.push({ text, gold, kinds, found: detectPii(text) });
}

console.log(
  `\nPII detection on ${sentences.length} generated sentences (seed ${values.seed}); overlap: same type and spans overlap, exact: same type and span\n`,
);
console.log(markdownTable(SCORE_HEADER, scoreSpans(sentences, PII_TYPES)));

// Per kind: how often a value was found (overlap rule) and how often a look-alike was flagged.
const perKind = new Map<string, { gold: boolean; total: number; hits: number }>();
for (const sentence of sentences) {
  for (const item of sentence.kinds) {
    const overlapping = sentence.found.filter((span) => span.start < item.end && item.start < span.end);
    const hit = item.gold
      ? overlapping.some((span) => span.type === item.type)
      : overlapping.some((span) => item.notAs === undefined || span.type === item.notAs);
    const entry = perKind.get(item.kind) ?? { gold: item.gold, total: 0, hits: 0 };
    entry.total += 1;
    if (hit) entry.hits += 1;
    perKind.set(item.kind, entry);
  }
}
const kindRows = (gold: boolean) =>
  [...perKind]
    .filter(([, entry]) => entry.gold === gold)
    .map(([kind, entry]) => [kind, String(entry.total), fixed(entry.hits / entry.total, 3)]);
console.log('\nRecall per format (overlap rule)\n');
console.log(markdownTable(['format', 'values', 'found'], kindRows(true)));
console.log('\nLook-alikes flagged (as anything, or as the one type named; should be 0)\n');
console.log(markdownTable(['look-alike', 'values', 'flagged'], kindRows(false)));
if (values.errors) {
  for (const sentence of sentences) {
    const errors = errorsOf(sentence, PII_TYPES);
    if (errors.length > 0) console.log(`\n${JSON.stringify(sentence.text)}\n  ${errors.join('\n  ')}`);
  }
}
