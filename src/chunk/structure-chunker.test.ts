import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Block, Chunk } from '../spec/index.ts';
import { CairnError } from '../spec/index.ts';
import { createRandom, documentOf, randomDocument } from './__fixtures__/documents.ts';
import { countTokens } from './count-tokens.ts';
import { splitSentences } from './split-sentences.ts';
import { createStructureChunker } from './structure-chunker.ts';

const paragraph = (text: string, headingsPath: string[], page?: number): Block => ({
  kind: 'paragraph',
  text,
  headingsPath,
  ...(page === undefined ? {} : { page }),
});
const heading = (text: string, level: number, headingsPath: string[], page?: number): Block => ({
  kind: 'heading',
  text,
  level,
  headingsPath,
  ...(page === undefined ? {} : { page }),
});
const withoutSpace = (text: string): string => text.replace(/\s+/g, '');

/** Block number n of the `blk<n>` markers a chunk's text contains. */
function markedBlocks(chunk: Chunk): number[] {
  return [...chunk.text.matchAll(/blk(\d+)/g)].map((match) => Number(match[1]));
}

describe('createStructureChunker', () => {
  test('packs whole paragraphs of a section into one chunk when they fit', () => {
    const document = documentOf('doc', [
      heading('Intro', 1, []),
      paragraph('First paragraph here.', ['Intro'], 1),
      paragraph('Second paragraph here.', ['Intro'], 2),
    ]);
    const chunks = createStructureChunker({ maxTokens: 100 }).chunk(document);
    assert.deepEqual(chunks, [
      {
        id: 'doc#0',
        docId: 'doc',
        ordinal: 0,
        role: 'leaf',
        text: 'First paragraph here.\n\nSecond paragraph here.',
        tokenCount: countTokens('First paragraph here.\n\nSecond paragraph here.'),
        metadata: { headingsPath: ['Intro'], page: 1 },
      },
    ]);
  });

  test('never puts two sections in one chunk and does not repeat heading text', () => {
    const document = documentOf('doc', [
      heading('Title', 1, []),
      heading('Methods', 2, ['Title']),
      paragraph('We did things.', ['Title', 'Methods']),
      heading('Results', 2, ['Title']),
      paragraph('Things happened.', ['Title', 'Results']),
    ]);
    const chunks = createStructureChunker({ maxTokens: 100 }).chunk(document);
    assert.deepEqual(
      chunks.map((chunk) => [chunk.text, chunk.metadata.headingsPath]),
      [
        ['We did things.', ['Title', 'Methods']],
        ['Things happened.', ['Title', 'Results']],
      ],
    );
  });

  test('keeps a heading with nothing under it as a chunk of its own', () => {
    const document = documentOf('doc', [
      heading('Title', 1, [], 3),
      heading('Empty', 2, ['Title'], 3),
      heading('Full', 2, ['Title'], 4),
      paragraph('Body text.', ['Title', 'Full'], 4),
      heading('Trailing', 1, [], 5),
    ]);
    const chunks = createStructureChunker({ maxTokens: 100 }).chunk(document);
    assert.deepEqual(
      chunks.map((chunk) => [chunk.text, chunk.metadata.headingsPath, chunk.metadata.page]),
      [
        ['Empty', ['Title', 'Empty'], 3],
        ['Body text.', ['Title', 'Full'], 4],
        ['Trailing', ['Trailing'], 5],
      ],
    );
  });

  test('cuts an oversized paragraph at sentence boundaries', () => {
    const sentences = Array.from(
      { length: 30 },
      (_, i) => `Sentence number ${i} talks about protein expression in cohort ${i}.`,
    );
    const document = documentOf('doc', [paragraph(sentences.join(' '), [])]);
    const chunks = createStructureChunker({ maxTokens: 40 }).chunk(document);
    assert.ok(chunks.length > 5);
    const known = new Set(sentences);
    for (const chunk of chunks) {
      assert.ok(chunk.tokenCount <= 40);
      for (const sentence of splitSentences(chunk.text)) assert.ok(known.has(sentence.text), sentence.text);
    }
    assert.equal(chunks.map((chunk) => chunk.text).join(' '), sentences.join(' '));
  });

  test('cuts only a sentence longer than maxTokens mid-sentence, by token windows', () => {
    const long = `${'word '.repeat(120).trim()}.`;
    const document = documentOf('doc', [paragraph(`Short one. ${long} Short two.`, [])]);
    const chunks = createStructureChunker({ maxTokens: 50 }).chunk(document);
    for (const chunk of chunks) assert.ok(chunk.tokenCount <= 50);
    assert.equal(chunks[0]?.text.startsWith('Short one.'), true);
    assert.equal(chunks.at(-1)?.text.endsWith('Short two.'), true);
    assert.equal(withoutSpace(chunks.map((chunk) => chunk.text).join('')), withoutSpace(document.text));
  });

  test('cuts oversized code blocks and tables at line boundaries', () => {
    const lines = Array.from({ length: 80 }, (_, i) => `  const value${i} = compute(${i}, 'alpha', 'beta');`);
    const rows = Array.from({ length: 50 }, (_, i) => `| row ${i} | ${i * 3} | some cell text |`);
    const document = documentOf('doc', [
      { kind: 'code', text: lines.join('\n'), headingsPath: [] },
      { kind: 'table', text: rows.join('\n'), headingsPath: [] },
    ]);
    const chunks = createStructureChunker({ maxTokens: 60 }).chunk(document);
    const knownLines = new Set([...lines, ...rows].map((line) => line.trim()));
    for (const chunk of chunks) {
      assert.ok(chunk.tokenCount <= 60);
      for (const line of chunk.text.split('\n')) {
        if (line.trim() !== '') assert.ok(knownLines.has(line.trim()), line);
      }
    }
  });

  test('falls back to blank-line paragraphs when a document has no blocks', () => {
    const document = { ...documentOf('doc', []), text: 'One paragraph.\n\nAnother paragraph.' };
    const chunks = createStructureChunker({ maxTokens: 5 }).chunk(document);
    assert.deepEqual(
      chunks.map((chunk) => [chunk.text, chunk.metadata.headingsPath]),
      [
        ['One paragraph.', []],
        ['Another paragraph.', []],
      ],
    );
  });

  test('returns no chunks for a document with empty text', () => {
    const chunker = createStructureChunker({ maxTokens: 50 });
    assert.deepEqual(chunker.chunk(documentOf('doc', [])), []);
    assert.deepEqual(chunker.chunk({ ...documentOf('doc', []), text: '  \n\n ' }), []);
  });

  test('on random documents: within maxTokens, whole sentences, one section per chunk, page of the first block', () => {
    const random = createRandom(23);
    for (let d = 0; d < 60; d++) {
      const document = randomDocument(random, `doc${d}`, {
        plain: true,
        markBlocks: true,
        paged: d % 2 === 0,
      });
      const maxTokens = [48, 96, 256][d % 3]!;
      const chunks = createStructureChunker({ maxTokens }).chunk(document);
      const sentencesOf = (block: Block): string[] => splitSentences(block.text).map((span) => span.text);
      const knownSentences = new Set(
        document.blocks.filter((block) => block.kind === 'paragraph').flatMap(sentencesOf),
      );
      const giantSentences = [...knownSentences].filter((sentence) => countTokens(sentence) > maxTokens);
      for (const chunk of chunks) {
        // The first block is the one whose marker opens the chunk; a window of a giant sentence may
        // miss the marker, and then its text names the block unless it is too short to be unique.
        const firstPart = chunk.text.split('\n\n')[0]!;
        const containing = document.blocks.filter((block) => block.text.includes(firstPart));
        const markerIndex = /blk(\d+)/.exec(firstPart)?.[1];
        const first =
          markerIndex === undefined
            ? containing.length === 1
              ? containing[0]
              : undefined
            : document.blocks[Number(markerIndex)];
        if (first === undefined) continue;
        const blocks = markedBlocks(chunk);
        assert.ok(blocks.every((index) => document.blocks[index]!.headingsPath === first.headingsPath));
        assert.deepEqual(chunk.metadata.headingsPath, first.headingsPath);
        assert.equal(chunk.metadata.page, first.page);
        // Sentences that fit are never cut: each sentence of a paragraph's part of the chunk is a
        // sentence of that paragraph, or a piece of one too long for any chunk.
        for (const part of chunk.text.split('\n\n')) {
          const block = document.blocks.find((candidate) => candidate.text.includes(part));
          if (block?.kind !== 'paragraph') continue;
          for (const { text } of splitSentences(part)) {
            assert.ok(knownSentences.has(text) || giantSentences.some((giant) => giant.includes(text)), text);
          }
        }
      }
      const content = document.blocks.filter((block) => block.kind !== 'heading').map((block) => block.text);
      assert.equal(withoutSpace(chunks.map((chunk) => chunk.text).join('')), withoutSpace(content.join('')));
    }
  });

  test('rejects a maxTokens that is not an integer of at least 4, naming the option', () => {
    for (const maxTokens of [0, -3, 3, 12.5, Number.NaN]) {
      assert.throws(
        () => createStructureChunker({ maxTokens }),
        (error) => CairnError.is(error, 'invalid_option') && error.message.startsWith('maxTokens must be'),
      );
    }
  });
});
