import type { Block, CairnDocument } from '../../spec/index.ts';

/** A seeded PRNG (mulberry32) returning floats in [0, 1), so generated documents are reproducible. */
export function createRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A markdown document whose text is its blocks joined by blank lines, as loaders produce it. */
export function documentOf(id: string, blocks: Block[]): CairnDocument {
  return {
    id,
    source: `${id}.md`,
    title: id,
    format: 'markdown',
    text: blocks.map((block) => block.text).join('\n\n'),
    blocks,
    contentHash: 'x',
    metadata: {},
  };
}

const PLAIN_WORDS = (
  'cell protein expression patients cohort increased significantly compared control mice treatment ' +
  'analysis risk levels associated receptor signal pathway dose response trial outcome clinical model ' +
  'data sample gene mutation tumour growth factor binding activity network study results'
).split(' ');

const ODD_WORDS = [
  'naïve',
  'café',
  '3.14',
  'e.g.',
  'approx.',
  'v1.2.3',
  'https://example.org/a?b=1',
  'x@y.org',
  '😀',
  '你好世界今天天气很好',
  'Fig. 2',
  'IL-6',
  'p<0.05',
  'mRNA',
  '(n=12)',
  '"quoted"',
  'Dr.',
  'et al.',
  '<|endoftext|>',
  'supercalifragilisticexpialidocious',
  'aGVsbG8gd29ybGQgdGhpcyBpcyBhIGxvbmcgYmFzZTY0IHN0cmluZw==',
];

export interface RandomDocumentOptions {
  /** Use only plain lower-case words, so every sentence ends only at its final period. */
  plain?: boolean;
  /** Put a `blk<n>` marker in every sentence, line and item of block n. */
  markBlocks?: boolean;
  /** Give blocks page numbers. */
  paged?: boolean;
}

/** A random document of headed sections holding paragraphs (some with giant sentences), lists, code and tables. */
export function randomDocument(
  random: () => number,
  id: string,
  options: RandomDocumentOptions = {},
): CairnDocument {
  const int = (min: number, max: number): number => min + Math.floor(random() * (max - min + 1));
  const word = (): string =>
    !options.plain && random() < 0.08
      ? ODD_WORDS[int(0, ODD_WORDS.length - 1)]!
      : PLAIN_WORDS[int(0, PLAIN_WORDS.length - 1)]!;
  const words = (count: number, marker: string): string => {
    const list = Array.from({ length: count }, word);
    if (marker !== '') list.splice(int(0, list.length), 0, marker);
    return list.join(' ');
  };
  const sentence = (marker: string): string => {
    const length = random() < 0.04 ? int(150, 420) : int(3, 40);
    const body = words(length, marker);
    return `${body[0]!.toUpperCase()}${body.slice(1)}.`;
  };

  const blocks: Block[] = [];
  const path: { level: number; title: string }[] = [];
  const sectionCount = int(1, 5);
  for (let s = 0; s < sectionCount; s++) {
    const level = int(1, Math.min(3, path.length + 1));
    while (path.length > 0 && path[path.length - 1]!.level >= level) path.pop();
    const title = `Section ${id} ${s} ${words(int(1, 4), '')}`;
    blocks.push({ kind: 'heading', level, text: title, headingsPath: path.map((h) => h.title) });
    path.push({ level, title });
    const headingsPath = path.map((h) => h.title);
    const contentCount = int(1, 5);
    for (let c = 0; c < contentCount; c++) {
      const marker = options.markBlocks ? `blk${blocks.length}` : '';
      const kind = random();
      let block: Block;
      if (kind < 0.6) {
        const text = Array.from({ length: int(1, 14) }, () => sentence(marker)).join(' ');
        block = { kind: 'paragraph', text, headingsPath };
      } else if (kind < 0.75) {
        const text = Array.from({ length: int(2, 10) }, () => `- ${words(int(2, 20), marker)}`).join('\n');
        block = { kind: 'list', text, headingsPath };
      } else if (kind < 0.9) {
        const lines = Array.from({ length: int(3, 60) }, (_, i) => {
          const indent = '  '.repeat(int(0, 3));
          return `${indent}const value${i} = compute(${words(int(1, 12), marker).replaceAll(' ', ', ')});`;
        });
        block = { kind: 'code', text: lines.join('\n'), headingsPath };
      } else {
        const rows = Array.from(
          { length: int(2, 30) },
          () => `| ${words(int(2, 8), marker).split(' ').join(' | ')} |`,
        );
        block = { kind: 'table', text: rows.join('\n'), headingsPath };
      }
      blocks.push(block);
    }
  }
  if (options.paged) {
    blocks.forEach((block, index) => {
      block.page = 1 + Math.floor(index / 3);
    });
  }
  return documentOf(id, blocks);
}

/** A SciFact-like abstract: a title heading and ~300 words of prose in a few paragraphs. */
export function abstractDocument(random: () => number, id: string): CairnDocument {
  const pick = (): string => PLAIN_WORDS[Math.floor(random() * PLAIN_WORDS.length)]!;
  const paragraphs: string[] = [];
  let total = 0;
  while (total < 300) {
    const sentences: string[] = [];
    for (let s = 0; s < 4; s++) {
      const length = 8 + Math.floor(random() * 20);
      total += length;
      const body = Array.from({ length }, pick).join(' ');
      sentences.push(`${body[0]!.toUpperCase()}${body.slice(1)}.`);
    }
    paragraphs.push(sentences.join(' '));
  }
  const title = `Abstract ${id}`;
  return documentOf(id, [
    { kind: 'heading', level: 1, text: title, headingsPath: [] },
    ...paragraphs.map((text): Block => ({ kind: 'paragraph', text, headingsPath: [title] })),
  ]);
}
