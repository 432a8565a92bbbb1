import fs from 'node:fs';
import path from 'node:path';
import { seededRandom } from '../../evaluate/compare/seeded-random.ts';

const SYLLABLES = [
  'ka',
  'lo',
  'mi',
  'ru',
  'te',
  'sa',
  'no',
  'vi',
  'do',
  'pe',
  'zu',
  'ha',
  'gi',
  'fo',
  'be',
  'xi',
];

/** A made-up word, e.g. "kalomi"; seeded, so corpora are the same on every run. */
function word(random: () => number): string {
  const length = 2 + Math.floor(random() * 2);
  return Array.from({ length }, () => SYLLABLES[Math.floor(random() * SYLLABLES.length)]).join('');
}

/**
 * Writes `count` Markdown documents into `dir`, each about its own invented topic: a title, two
 * sections, and sentences whose content words belong to that document alone, so a question about
 * a missing document finds only unrelated text. Returns the files' names.
 */
export function writeSyntheticCorpus(dir: string, count: number, seed = 3, offset = 0): string[] {
  fs.mkdirSync(dir, { recursive: true });
  const random = seededRandom(seed);
  const names: string[] = [];
  for (let i = offset; i < offset + count; i++) {
    const vocabulary = Array.from({ length: 14 }, () => word(random));
    const pick = () => vocabulary[Math.floor(random() * vocabulary.length)] as string;
    const sentence = () =>
      `The ${pick()} ${pick()} keeps every ${pick()} ${pick()} close to the ${pick()} ${pick()} during ${pick()} ${pick()} work.`;
    const body = [
      `# ${vocabulary[0]} ${vocabulary[1]} guide`,
      '',
      `${sentence()} ${sentence()}`,
      '',
      `## ${vocabulary[2]} ${vocabulary[3]} rules`,
      '',
      `${sentence()} ${sentence()} ${sentence()}`,
      '',
      `## ${vocabulary[4]} ${vocabulary[5]} limits`,
      '',
      `${sentence()} ${sentence()}`,
      '',
    ].join('\n');
    const name = `topic-${String(i).padStart(3, '0')}.md`;
    fs.writeFileSync(path.join(dir, name), body);
    names.push(name);
  }
  return names;
}
