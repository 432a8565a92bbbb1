import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CairnDocument } from '../spec/index.ts';
import { InvalidInputError } from '../spec/index.ts';
import { utf8 } from './__fixtures__/make-fixtures.ts';
import { loadHtml } from './load-html.ts';

function load(html: string, path = 'site/rotate-keys.html'): CairnDocument {
  return loadHtml({ bytes: utf8(html), path });
}

const filler = (sentence: string) => `${sentence} `.repeat(12).trim();

const ARTICLE_PAGE = `<!doctype html>
<html><head><title>Rotate keys | Acme Docs</title><style>.x { color: red }</style>
<script>window.analytics = 'TRACKING-SNIPPET';</script></head>
<body>
  <header><nav><a href="/">Home</a> <a href="/pricing">Pricing menu</a></nav></header>
  <main><article>
    <h1>Rotate keys</h1>
    <p>${filler('Keys should be rotated every ninety days to limit exposure.')}</p>
    <h2>Before you start</h2>
    <p>${filler('You need admin rights on the vault to rotate keys.')}</p>
    <ul><li>Open the vault</li><li>Create a <b>new</b> key<ul><li>name it by date</li></ul></li></ul>
    <pre><code>cairn keys rotate --all
  --dry-run</code></pre>
    <h3>Limits</h3>
    <table><tr><th>Plan</th><th>Keys</th></tr><tr><td>Free</td><td>2</td></tr></table>
  </article></main>
  <footer>Copyright Acme 2024. Privacy policy.</footer>
  <script>track('FOOTER-SCRIPT')</script>
</body></html>`;

test('keeps the article and drops navigation, footer, scripts and styles', () => {
  const document = load(ARTICLE_PAGE);
  assert.equal(document.id, 'site/rotate-keys.html');
  assert.equal(document.format, 'html');
  assert.equal(document.title, 'Rotate keys | Acme Docs');
  assert.match(document.text, /rotated every ninety days/);
  for (const boilerplate of [
    'Pricing menu',
    'Copyright Acme',
    'TRACKING-SNIPPET',
    'FOOTER-SCRIPT',
    'color: red',
  ]) {
    assert.ok(!document.text.includes(boilerplate), `"${boilerplate}" should be dropped`);
  }
});

test('headings nest into headings paths and lists, code and tables keep their kind', () => {
  const document = load(ARTICLE_PAGE);
  const summary = document.blocks.map((block) => [
    block.kind,
    block.level ?? null,
    block.headingsPath.join(' > '),
    block.text.slice(0, 24),
  ]);
  assert.deepEqual(summary, [
    ['heading', 1, '', 'Rotate keys'],
    ['paragraph', null, 'Rotate keys', 'Keys should be rotated e'],
    ['heading', 2, 'Rotate keys', 'Before you start'],
    ['paragraph', null, 'Rotate keys > Before you start', 'You need admin rights on'],
    ['list', null, 'Rotate keys > Before you start', '- Open the vault\n- Creat'],
    ['code', null, 'Rotate keys > Before you start', '```\ncairn keys rotate --'],
    ['heading', 3, 'Rotate keys > Before you start', 'Limits'],
    ['table', null, 'Rotate keys > Before you start > Limits', 'Plan | Keys\nFree | 2'],
  ]);
  assert.equal(document.blocks[4]?.text, '- Open the vault\n- Create a new key\n  - name it by date');
  assert.equal(document.blocks[5]?.text, '```\ncairn keys rotate --all\n  --dry-run\n```');
});

test('sibling h1 sections keep their levels', () => {
  const document = load(`<html><head><title>Handbook</title></head><body><article>
    <h1>Install</h1><p>${filler('Install the binary from the release page.')}</p>
    <h2>Linux</h2><p>${filler('Use the tarball on Linux machines.')}</p>
    <h1>Configure</h1><p>${filler('Write a config file next to the index.')}</p>
  </article></body></html>`);
  const headings = document.blocks.filter((block) => block.kind === 'heading');
  assert.deepEqual(
    headings.map((block) => [block.text, block.level, block.headingsPath.join(' > ')]),
    [
      ['Install', 1, ''],
      ['Linux', 2, 'Install'],
      ['Configure', 1, ''],
    ],
  );
});

test('a short page or a bare fragment still loads, without its navigation', () => {
  const short = load(
    '<html><head><title>Status</title></head><body><nav>Home | About</nav><h1>All good</h1><p>No incidents.</p><footer>(c) Acme</footer></body></html>',
  );
  assert.equal(short.title, 'Status');
  assert.deepEqual(
    short.blocks.map((block) => block.text),
    ['All good', 'No incidents.'],
  );
  const fragment = load('<p>Just a <em>fragment</em>.</p>', 'bits/fragment.htm');
  assert.equal(fragment.title, 'fragment');
  assert.equal(fragment.text, 'Just a fragment.');
});

test('a page with no text is refused with the path', () => {
  assert.throws(
    () => load('<html><body><nav>Menu</nav><script>x()</script></body></html>', 'empty.html'),
    (error) =>
      error instanceof InvalidInputError && error.message === 'empty.html: no text found in the HTML',
  );
});
