import assert from 'node:assert/strict';
import { test } from 'node:test';
import { utf8 } from './__fixtures__/make-fixtures.ts';
import { loadMarkdown } from './load-markdown.ts';

// Documentation sites (VitePress, Docusaurus) write template markup into their Markdown; none of
// it is content, and left in it ends up in answers and heading paths.
function outline(markdown: string): string[] {
  const document = loadMarkdown({ bytes: utf8(markdown), path: 'docs/config/retries.md' });
  return document.blocks.map((block) => `${block.kind} [${block.headingsPath.join(' > ')}] ${block.text}`);
}

test('container fences are dropped, their text kept, and a custom title kept as a label', () => {
  assert.deepEqual(
    outline(
      [
        '# Retries',
        '',
        '::: warning',
        'Retries hide flaky tests.',
        ':::',
        '',
        '::: tip Faster runs',
        'Set `retry` to `0` in watch mode.',
        ':::',
        ':::details Show the full list',
        '- one',
        '- two',
        ':::',
        'After.',
      ].join('\n'),
    ),
    [
      'heading [] Retries',
      'paragraph [Retries] Retries hide flaky tests.',
      'paragraph [Retries] Faster runs:',
      'paragraph [Retries] Set `retry` to `0` in watch mode.',
      'paragraph [Retries] Show the full list:',
      'list [Retries] - one\n- two',
      'paragraph [Retries] After.',
    ],
  );
});

test('components, anchors, comments and script blocks are stripped from text and headings', () => {
  assert.deepEqual(
    outline(
      [
        '<script setup>',
        "import { data } from './retries.data.ts'",
        '</script>',
        '',
        '# retry <CRoot /> {#retry}',
        '',
        '<!-- eslint-skip -->',
        'Retries a failed test. <Badge type="info">3.1.0+</Badge>',
        '',
        '## retry.delay <Version type="experimental">4.1.0</Version> {#retry-delay}',
        '',
        'Waits between attempts.<!-- a note',
        'over two lines --> In milliseconds.',
        '',
        '## Custom retries <Badge type="danger" text="advanced" />',
        '',
        'A `Promise<RetryResult>` or a Map<string, number> is kept.',
      ].join('\n'),
    ),
    [
      'heading [] retry',
      'paragraph [retry] Retries a failed test. 3.1.0+',
      'heading [retry] retry.delay 4.1.0',
      'paragraph [retry > retry.delay 4.1.0] Waits between attempts. In milliseconds.',
      'heading [retry] Custom retries advanced',
      'paragraph [retry > Custom retries advanced] A `Promise<RetryResult>` or a Map<string, number> is kept.',
    ],
  );
});

test('markup inside fenced code is code and stays as written', () => {
  const code = [
    '```vue',
    '<script setup>',
    "import Badge from './Badge.vue'",
    '</script>',
    '<!-- shown as is -->',
    ':::',
    '<Badge type="info">1.0</Badge>',
    '```',
  ].join('\n');
  assert.deepEqual(outline(`# Example\n\n::: code-group\n${code}\n:::`), [
    'heading [] Example',
    `code [Example] ${code}`,
  ]);
});
