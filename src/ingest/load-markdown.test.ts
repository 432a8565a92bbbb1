import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CairnDocument } from '../spec/index.ts';
import { InvalidInputError } from '../spec/index.ts';
import { utf8 } from './__fixtures__/make-fixtures.ts';
import { loadMarkdown } from './load-markdown.ts';

function load(markdown: string, path = 'guides/rotate-keys.md'): CairnDocument {
  return loadMarkdown({ bytes: utf8(markdown), path });
}

function outline(document: CairnDocument): string[] {
  return document.blocks.map((block) => `${block.kind} [${block.headingsPath.join(' > ')}] ${block.text}`);
}

test('front matter gives the title and scalar metadata', () => {
  const document = load(
    [
      '---',
      'title: Rotating API keys',
      'updated: 2024-05-01',
      'draft: false',
      'tags: [security, ops]',
      'owner: { team: infra }',
      '---',
      '# Rotate keys',
      '',
      'Rotate every 90 days.',
    ].join('\n'),
  );
  assert.equal(document.id, 'guides/rotate-keys.md');
  assert.equal(document.source, 'guides/rotate-keys.md');
  assert.equal(document.format, 'markdown');
  assert.equal(document.title, 'Rotating API keys');
  assert.deepEqual(document.metadata, { updated: '2024-05-01', draft: false, tags: 'security,ops' });
  assert.ok(!document.text.includes('updated:'), 'front matter is not part of the text');
});

test('the title falls back to the first # heading, then to the file name', () => {
  assert.equal(load('Intro text.\n\n## Setup\n\n# Rotate keys\n\nBody.').title, 'Rotate keys');
  assert.equal(load('Just text, no heading.').title, 'rotate-keys');
});

test('headings set the headings path of the blocks that follow them', () => {
  const document = load(
    [
      '# Keys',
      'Intro.',
      '## Rotate',
      'Rotate text.',
      '### Via CLI ###',
      'CLI text.',
      '## Revoke [now](https://x.test)',
      'Revoke text.',
    ].join('\n'),
  );
  assert.deepEqual(outline(document), [
    'heading [] Keys',
    'paragraph [Keys] Intro.',
    'heading [Keys] Rotate',
    'paragraph [Keys > Rotate] Rotate text.',
    'heading [Keys > Rotate] Via CLI',
    'paragraph [Keys > Rotate > Via CLI] CLI text.',
    'heading [Keys] Revoke now',
    'paragraph [Keys > Revoke now] Revoke text.',
  ]);
  assert.deepEqual(
    document.blocks.filter((block) => block.kind === 'heading').map((block) => block.level),
    [1, 2, 3, 2],
  );
});

test('fenced code stays whole, and a # inside it is not a heading', () => {
  const document = load(
    [
      '# Script',
      '',
      '```bash',
      '# rotate all keys',
      'cairn keys rotate',
      '',
      'echo done',
      '```',
      'After.',
    ].join('\n'),
  );
  assert.deepEqual(outline(document), [
    'heading [] Script',
    'code [Script] ```bash\n# rotate all keys\ncairn keys rotate\n\necho done\n```',
    'paragraph [Script] After.',
  ]);
});

test('lists and tables become their own blocks', () => {
  const document = load(
    [
      'Steps:',
      '- open the vault',
      '- create a key',
      '',
      '  with a note',
      '- revoke the old one',
      '',
      '| Key | Age |',
      '|-----|----:|',
      '| a   | 3   |',
      '',
      '1. first',
      '2. second',
      '',
      'Done.',
    ].join('\n'),
  );
  assert.deepEqual(
    document.blocks.map((block) => [block.kind, block.text]),
    [
      ['paragraph', 'Steps:'],
      ['list', '- open the vault\n- create a key\n\n  with a note\n- revoke the old one'],
      ['table', '| Key | Age |\n|-----|----:|\n| a   | 3   |'],
      ['list', '1. first\n2. second'],
      ['paragraph', 'Done.'],
    ],
  );
});

test('text is the blocks joined by blank lines', () => {
  const document = load('# A\n\nOne.\nStill one.\n\n\n\nTwo.\n\n---\n\nThree.');
  assert.equal(document.text, 'A\n\nOne.\nStill one.\n\nTwo.\n\nThree.');
});

test('broken front matter and front matter alone are refused with the path', () => {
  assert.throws(
    () => load('---\ntitle: [unclosed\n---\nBody', 'bad.md'),
    (error) =>
      error instanceof InvalidInputError &&
      error.path === 'bad.md' &&
      /invalid YAML front matter/.test(error.reason),
  );
  assert.throws(
    () => load('---\ntitle: Only\n---\n\n', 'only.md'),
    (error) => error instanceof InvalidInputError && error.reason === 'no text after the front matter',
  );
});
