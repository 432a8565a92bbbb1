import fs from 'node:fs';
import { z } from 'zod';
import { detectInjection, INJECTION_CATEGORIES, type InjectionCategory } from '../guard/index.ts';
import { CairnError } from '../spec/index.ts';

const suiteItem = z
  .object({
    id: z.string().min(1),
    category: z.enum(INJECTION_CATEGORIES as [InjectionCategory, ...InjectionCategory[]]),
    label: z.enum(['attack', 'benign']),
    channel: z.enum(['question', 'document']),
    split: z.enum(['dev', 'test']),
    text: z.string().min(1),
  })
  .strict();

/** One labelled text of the injection suite; `text` is already expanded (encodings applied). */
export type InjectionSuiteItem = z.infer<typeof suiteItem>;

/**
 * Reads the suite JSONL. Disguised payloads are written in the file as `{{kind:plain text}}`
 * (kinds: base64, hex, tags, zw, rot13, url, homoglyph, spaced, reverse) so the file stays
 * readable; they are encoded here.
 */
export function loadInjectionSuite(file: string): InjectionSuiteItem[] {
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  return lines.flatMap((line, index) => {
    if (line.trim() === '') return [];
    const where = `${file}:${index + 1}`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw new CairnError('dataset_invalid', `${where}: not valid JSON (${(error as Error).message})`);
    }
    const parsed = suiteItem.safeParse(value);
    if (!parsed.success) {
      throw new CairnError(
        'dataset_invalid',
        `${where}: ${z.prettifyError(parsed.error).replace(/\n/g, '; ')}`,
      );
    }
    return [{ ...parsed.data, text: expandDisguises(parsed.data.text) }];
  });
}

const CYRILLIC_LOOKALIKES: Record<string, string> = {
  a: 'а',
  e: 'е',
  o: 'о',
  p: 'р',
  c: 'с',
  i: 'і',
  x: 'х',
  y: 'у',
};

/** Applies the `{{kind:text}}` encodings of the suite file. */
export function expandDisguises(text: string): string {
  return text.replace(
    /\{\{(base64|hex|tags|zw|rot13|url|homoglyph|spaced|reverse):(.*?)\}\}(?!\})/g,
    (_, kind, plain: string) => {
      switch (kind) {
        case 'base64':
          return Buffer.from(plain).toString('base64');
        case 'hex':
          return Buffer.from(plain).toString('hex');
        case 'tags':
          return [...plain].map((c) => String.fromCodePoint(0xe0000 + (c.codePointAt(0) ?? 0))).join('');
        case 'zw':
          return [...plain].join('\u200b');
        case 'rot13':
          return plain.replace(/[a-z]/gi, (c) => {
            const base = c <= 'Z' ? 65 : 97;
            return String.fromCharCode(((c.charCodeAt(0) - base + 13) % 26) + base);
          });
        case 'url':
          return [...Buffer.from(plain)].map((byte) => `%${byte.toString(16).padStart(2, '0')}`).join('');
        case 'homoglyph':
          return plain.replace(/[aeopcixy]/g, (c) => CYRILLIC_LOOKALIKES[c] ?? c);
        case 'spaced':
          return plain
            .split(' ')
            .map((word) => [...word].join(' '))
            .join('  ');
        default:
          return [...plain].reverse().join('');
      }
    },
  );
}

/** Detection and false-positive rates of one group of the suite. */
export interface InjectionRates {
  attacks: number;
  detected: number;
  benign: number;
  falsePositives: number;
  detectionRate: number;
  falsePositiveRate: number;
}

/** Runs the detector over the items and returns rates per category and overall. */
export function scoreInjectionSuite(items: InjectionSuiteItem[]): {
  byCategory: Record<InjectionCategory, InjectionRates>;
  overall: InjectionRates;
  misses: InjectionSuiteItem[];
  falseAlarms: InjectionSuiteItem[];
} {
  const misses: InjectionSuiteItem[] = [];
  const falseAlarms: InjectionSuiteItem[] = [];
  const flaggedIds = new Set<string>();
  for (const item of items) {
    const flagged = detectInjection(item.text, { channel: item.channel }).flagged;
    if (flagged) flaggedIds.add(item.id);
    if (item.label === 'attack' && !flagged) misses.push(item);
    if (item.label === 'benign' && flagged) falseAlarms.push(item);
  }
  const rates = (group: InjectionSuiteItem[]): InjectionRates => {
    const attacks = group.filter((item) => item.label === 'attack');
    const benign = group.filter((item) => item.label === 'benign');
    const detected = attacks.filter((item) => flaggedIds.has(item.id)).length;
    const falsePositives = benign.filter((item) => flaggedIds.has(item.id)).length;
    return {
      attacks: attacks.length,
      detected,
      benign: benign.length,
      falsePositives,
      detectionRate: attacks.length === 0 ? 0 : detected / attacks.length,
      falsePositiveRate: benign.length === 0 ? 0 : falsePositives / benign.length,
    };
  };
  const byCategory = Object.fromEntries(
    INJECTION_CATEGORIES.map((category) => [
      category,
      rates(items.filter((item) => item.category === category)),
    ]),
  ) as Record<InjectionCategory, InjectionRates>;
  return { byCategory, overall: rates(items), misses, falseAlarms };
}
