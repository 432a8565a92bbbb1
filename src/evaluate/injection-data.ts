import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { CairnError } from '../spec/index.ts';
import { loadInjectionSuite } from './injection-suite.ts';

/** Which part of a data set an item belongs to: fit on train, choose thresholds on dev, report test. */
export type DataSplit = 'train' | 'dev' | 'test';

/** Kinds of labelled text the injection guard is trained and measured on. */
export type InjectionSet =
  | 'deepset'
  | 'extra'
  | 'suite'
  | 'bipia-planted'
  | 'bipia-email'
  | 'vitest-docs'
  | 'scifact';

/** One labelled text with its set, channel and split. */
export interface LabelledText {
  id: string;
  set: InjectionSet;
  channel: 'question' | 'document';
  attack: boolean;
  split: DataSplit;
  text: string;
  /** Language or attack category, for per-group tables. */
  group?: string;
}

/**
 * The split of an id: 60% train, 20% dev, 20% test by FNV-1a hash, so an item keeps its split
 * when others are added.
 */
export function splitOf(id: string): DataSplit {
  let hash = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) hash = Math.imul(hash ^ id.charCodeAt(i), 0x01000193);
  const bucket = (hash >>> 0) % 10;
  return bucket < 6 ? 'train' : bucket < 8 ? 'dev' : 'test';
}

/** The data files, relative to the shared folder (`../shared` or `CAIRN_SHARED_DIR`). */
export const INJECTION_DATA_FILES = {
  deepset: 'bench-data/injection/deepset.jsonl',
  textAttacks: 'bench-data/injection/bipia/text_attack_train.json',
  codeAttacks: 'bench-data/injection/bipia/code_attack_train.json',
  emails: 'bench-data/injection/bipia/email_train.jsonl',
  scifact: 'bench-data/scifact/corpus.jsonl',
  vitestDocs: 'corpora/vitest-docs/docs',
} as const;

/** The shared data folder: `CAIRN_SHARED_DIR`, else `../shared` beside the project root. */
export function sharedDir(root: string): string {
  return process.env.CAIRN_SHARED_DIR ?? path.resolve(root, '../shared');
}

function readLines(file: string): unknown[] {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as unknown);
}

const deepsetItem = z.object({ id: z.string(), text: z.string(), label: z.enum(['attack', 'benign']) });

/** deepset/prompt-injections: user-turn attacks and ordinary prompts, English and German. */
export function loadDeepset(shared: string): LabelledText[] {
  return readLines(path.join(shared, INJECTION_DATA_FILES.deepset)).map((line) => {
    const item = deepsetItem.parse(line);
    return {
      id: item.id,
      set: 'deepset',
      channel: 'question',
      attack: item.label === 'attack',
      split: splitOf(item.id),
      text: item.text,
    };
  });
}

const extraItem = z
  .object({
    id: z.string().min(1),
    lang: z.enum(['en', 'de', 'fr', 'es']),
    label: z.enum(['attack', 'benign']),
    channel: z.enum(['question', 'document']),
    split: z.enum(['train', 'dev', 'test']),
    text: z.string().min(1),
  })
  .strict();

/** corpus/injection-extra.jsonl: our own attacks and look-alikes in English, German, French, Spanish. */
export function loadExtra(file: string): LabelledText[] {
  return readLines(file).map((line, index) => {
    const parsed = extraItem.safeParse(line);
    if (!parsed.success) {
      throw new CairnError('dataset_invalid', `${file}:${index + 1}: ${z.prettifyError(parsed.error)}`);
    }
    const item = parsed.data;
    return {
      id: item.id,
      set: 'extra',
      channel: item.channel,
      attack: item.label === 'attack',
      split: item.split,
      text: item.text,
      group: item.lang,
    };
  });
}

/** Our injection suite: its dev half is trained on, its test half only reported. */
export function loadSuite(file: string): LabelledText[] {
  return loadInjectionSuite(file).map((item) => ({
    id: item.id,
    set: 'suite',
    channel: item.channel,
    attack: item.label === 'attack',
    split: item.split === 'dev' ? 'train' : 'test',
    text: item.text,
    group: item.category,
  }));
}

const attackFile = z.record(z.string(), z.array(z.string()));
const email = z.object({ context: z.string() });

/** BIPIA attacks by split, each with its category and an id that fixes its split. */
export function loadBipiaAttacks(
  shared: string,
): { id: string; category: string; text: string; split: DataSplit }[] {
  const attacks: { id: string; category: string; text: string; split: DataSplit }[] = [];
  for (const [kind, file] of [
    ['text', INJECTION_DATA_FILES.textAttacks],
    ['code', INJECTION_DATA_FILES.codeAttacks],
  ] as const) {
    const byCategory = attackFile.parse(JSON.parse(fs.readFileSync(path.join(shared, file), 'utf8')));
    for (const [category, texts] of Object.entries(byCategory)) {
      texts.forEach((text, index) => {
        const id = `bipia-${kind}:${category}:${index}`;
        attacks.push({ id, category: `${kind}: ${category}`, text, split: splitOf(id) });
      });
    }
  }
  return attacks;
}

/** BIPIA e-mails, each with the split of its index. */
export function loadBipiaEmails(shared: string): LabelledText[] {
  return readLines(path.join(shared, INJECTION_DATA_FILES.emails)).map((line, index) => {
    const id = `bipia-email-${index}`;
    return {
      id,
      set: 'bipia-email',
      channel: 'document',
      attack: false,
      split: splitOf(id),
      text: email.parse(line).context,
    };
  });
}

const POSITIONS = ['start', 'middle', 'end'] as const;

/** `attack` put at the start, in the middle (at a sentence end) or at the end of `context`. */
export function plant(context: string, attack: string, position: (typeof POSITIONS)[number]): string {
  if (position === 'start') return `${attack}\n${context}`;
  if (position === 'end') return `${context}\n${attack}`;
  const half = Math.floor(context.length / 2);
  const after = context.slice(half).search(/[.!?]\s/);
  const at = after === -1 ? half : half + after + 1;
  return `${context.slice(0, at)} ${attack} ${context.slice(at)}`;
}

/**
 * Every BIPIA attack planted at the start, middle and end of e-mails of its own split (the e-mail
 * chosen in turn), as BIPIA builds its indirect test.
 */
export function plantedBipia(shared: string): LabelledText[] {
  const emails = loadBipiaEmails(shared);
  const planted: LabelledText[] = [];
  for (const split of ['train', 'dev', 'test'] as const) {
    const pool = emails.filter((item) => item.split === split);
    const attacks = loadBipiaAttacks(shared).filter((attack) => attack.split === split);
    let turn = 0;
    for (const attack of attacks) {
      for (const position of POSITIONS) {
        const host = pool[turn % pool.length] as LabelledText;
        turn++;
        planted.push({
          id: `${attack.id}@${host.id}:${position}`,
          set: 'bipia-planted',
          channel: 'document',
          attack: true,
          split,
          text: plant(host.text, attack.text, position),
          group: attack.category,
        });
      }
    }
  }
  return planted;
}

/** The Vitest documentation pages (Markdown), one item per page. */
export function loadVitestDocs(shared: string): LabelledText[] {
  const dir = path.join(shared, INJECTION_DATA_FILES.vitestDocs);
  return markdownFiles(dir).map((file) => {
    const id = `vitest-docs:${path.relative(dir, file)}`;
    return {
      id,
      set: 'vitest-docs',
      channel: 'document',
      attack: false,
      split: splitOf(id),
      text: fs.readFileSync(file, 'utf8'),
    };
  });
}

/** SciFact abstracts, title and text, one item per abstract. */
export function loadScifact(shared: string): LabelledText[] {
  const doc = z.object({ _id: z.string(), title: z.string(), text: z.string() });
  return readLines(path.join(shared, INJECTION_DATA_FILES.scifact)).map((line) => {
    const item = doc.parse(line);
    const id = `scifact:${item._id}`;
    return {
      id,
      set: 'scifact',
      channel: 'document',
      attack: false,
      split: splitOf(id),
      text: `${item.title}\n${item.text}`,
    };
  });
}

/** The `.md` files under a folder, sorted. */
export function markdownFiles(dir: string): string[] {
  const files: string[] = [];
  const walk = (at: string) => {
    for (const entry of fs.readdirSync(at, { withFileTypes: true })) {
      const file = path.join(at, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (entry.name.endsWith('.md')) files.push(file);
    }
  };
  walk(dir);
  return files.sort();
}

/** sha256 of a file, or of a folder's `.md` files (names and contents, sorted). */
export function sha256Of(target: string): string {
  const hash = createHash('sha256');
  if (fs.statSync(target).isDirectory()) {
    for (const file of markdownFiles(target)) {
      hash.update(path.relative(target, file));
      hash.update('\0');
      hash.update(fs.readFileSync(file));
      hash.update('\0');
    }
  } else hash.update(fs.readFileSync(target));
  return hash.digest('hex');
}

// About the default chunk (256 tokens): the passage screen scores passages, not whole documents.
const PASSAGE_CHARS = 1000;

/** Documents cut at paragraph breaks into pieces of about a chunk, as the passage screen sees them. */
export function passageSized(items: LabelledText[]): LabelledText[] {
  return items.flatMap((item) => {
    const pieces: string[] = [];
    let piece = '';
    for (const paragraph of item.text.split(/\n\s*\n/)) {
      if (piece !== '' && piece.length + paragraph.length > PASSAGE_CHARS) {
        pieces.push(piece);
        piece = '';
      }
      piece = piece === '' ? paragraph : `${piece}\n\n${paragraph}`;
    }
    if (piece.trim() !== '') pieces.push(piece);
    return pieces.map((text, index) => ({ ...item, id: `${item.id}#${index}`, text }));
  });
}
