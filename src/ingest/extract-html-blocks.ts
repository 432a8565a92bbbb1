import type { Block } from '../spec/index.ts';
import { HeadingPath } from './heading-path.ts';

const ELEMENT_NODE = 1;
const TEXT_NODE = 3;
const HEADING_TAG = /^h([1-6])$/;
/** Class a caller may put on a heading to keep its original level when the tag was rewritten. */
const LEVEL_CLASS = /\bcairn-level-([1-6])\b/;

const IGNORED_TAGS = new Set([
  'script',
  'style',
  'noscript',
  'template',
  'svg',
  'canvas',
  'iframe',
  'object',
  'button',
  'select',
  'head',
]);
const BLOCK_TAGS = new Set([
  'address',
  'article',
  'aside',
  'blockquote',
  'body',
  'center',
  'dd',
  'details',
  'dialog',
  'div',
  'dl',
  'dt',
  'fieldset',
  'figcaption',
  'figure',
  'footer',
  'form',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'header',
  'hgroup',
  'hr',
  'html',
  'li',
  'main',
  'nav',
  'ol',
  'p',
  'pre',
  'section',
  'summary',
  'table',
  'tbody',
  'td',
  'tfoot',
  'th',
  'thead',
  'tr',
  'ul',
]);

/**
 * Reads the blocks of an HTML element tree in document order: `h1`–`h6` become headings that
 * set `headingsPath` for what follows, `p` and loose inline text paragraphs, `ul`/`ol` lists
 * (one `- item` line each, nested items indented), `pre` code (fenced, as in Markdown) and
 * `table` tables (`a | b` rows).
 * A heading with class `cairn-level-N` counts as level N whatever its tag.
 */
export function extractHtmlBlocks(root: Element): Block[] {
  const blocks: Block[] = [];
  const headings = new HeadingPath();
  const add = (kind: Block['kind'], text: string) => {
    if (text.trim() !== '') blocks.push({ kind, text, headingsPath: headings.current() });
  };

  const visitBlock = (element: Element): void => {
    const tag = tagOf(element);
    const headingLevel = HEADING_TAG.exec(tag)?.[1];
    if (headingLevel !== undefined) {
      const text = inlineText(element).replace(/\n/g, ' ');
      if (text === '') return;
      const level = Number(LEVEL_CLASS.exec(element.getAttribute('class') ?? '')?.[1] ?? headingLevel);
      blocks.push({ kind: 'heading', text, level, headingsPath: headings.enter(level, text) });
    } else if (tag === 'p') add('paragraph', inlineText(element));
    else if (tag === 'pre') add('code', fencedCode(element));
    else if (tag === 'ul' || tag === 'ol') add('list', listLines(element, 0).join('\n'));
    else if (tag === 'table') add('table', tableText(element));
    else if (tag !== 'hr') visitContainer(element);
  };

  // Inline content between block children (text directly in a div, say) forms its own paragraph.
  const visitContainer = (element: Element): void => {
    let pending: Node[] = [];
    const flush = () => {
      add('paragraph', normalizeInline(pending.map(rawInlineText).join('')));
      pending = [];
    };
    for (const child of Array.from(element.childNodes)) {
      if (isElement(child) && BLOCK_TAGS.has(tagOf(child))) {
        flush();
        visitBlock(child);
      } else {
        pending.push(child);
      }
    }
    flush();
  };

  visitBlock(root);
  return blocks;
}

function isElement(node: Node): node is Element {
  return node.nodeType === ELEMENT_NODE;
}

function tagOf(element: Element): string {
  return element.tagName.toLowerCase();
}

/** Text of inline content with whitespace collapsed and `<br>` kept as line breaks. */
function inlineText(element: Element): string {
  return normalizeInline(rawInlineText(element));
}

function rawInlineText(node: Node): string {
  if (node.nodeType === TEXT_NODE) return (node.textContent ?? '').replace(/\s+/g, ' ');
  if (!isElement(node)) return '';
  const tag = tagOf(node);
  if (tag === 'br') return '\n';
  if (IGNORED_TAGS.has(tag)) return '';
  const text = Array.from(node.childNodes).map(rawInlineText).join('');
  // Block children met inside inline text (a <p> in an <li>) still need a gap from their neighbours.
  return BLOCK_TAGS.has(tag) ? ` ${text} ` : text;
}

function normalizeInline(text: string): string {
  return text
    .split('\n')
    .map((line) => line.replace(/ {2,}/g, ' ').trim())
    .filter((line) => line !== '')
    .join('\n');
}

function preformattedText(element: Element): string {
  return (element.textContent ?? '').replace(/^\n+|\s+$/g, '');
}

/**
 * A `pre` block as fenced Markdown code, as the Markdown loader keeps it, so answers show it as a
 * block; the language comes from a `language-*` class on the `pre` or its `code`.
 */
function fencedCode(element: Element): string {
  const text = preformattedText(element);
  if (text.trim() === '') return '';
  const classes = `${element.getAttribute('class') ?? ''} ${element.querySelector('code')?.getAttribute('class') ?? ''}`;
  const language = /\b(?:language|lang)-([\w+#-]+)/.exec(classes)?.[1] ?? '';
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((run) => run[0].length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}${language}\n${text}\n${fence}`;
}

function listLines(list: Element, depth: number): string[] {
  const ordered = tagOf(list) === 'ol';
  const lines: string[] = [];
  let number = Number(list.getAttribute('start') ?? '1') || 1;
  for (const item of Array.from(list.children)) {
    const nested: string[] = [];
    const own: Node[] = [];
    for (const child of Array.from(item.childNodes)) {
      const tag = isElement(child) ? tagOf(child) : '';
      if (isElement(child) && (tag === 'ul' || tag === 'ol')) nested.push(...listLines(child, depth + 1));
      else own.push(child);
    }
    const text = normalizeInline(own.map(rawInlineText).join('')).replace(/\n/g, ' ');
    if (text !== '') lines.push(`${'  '.repeat(depth)}${ordered ? `${number++}.` : '-'} ${text}`);
    lines.push(...nested);
  }
  return lines;
}

function tableText(table: Element): string {
  return Array.from(table.querySelectorAll('tr'))
    .map((row) =>
      Array.from(row.children)
        .filter((cell) => tagOf(cell) === 'td' || tagOf(cell) === 'th')
        .map((cell) => inlineText(cell).replace(/\n/g, ' '))
        .join(' | '),
    )
    .filter((row) => row.replace(/[|\s]/g, '') !== '')
    .join('\n');
}
