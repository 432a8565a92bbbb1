import { Readability } from '@mozilla/readability';
import type { CairnDocument } from '../spec/index.ts';
import { InvalidInputError } from '../spec/index.ts';
import { createDocument } from './create-document.ts';
import { decodeText } from './decode-text.ts';
import { extractHtmlBlocks } from './extract-html-blocks.ts';
import { checkTextLength, resolveLimits } from './extraction-limits.ts';
import { collapseWhitespace, type FileLoaderInput, titleFromFileName } from './file-loader.ts';
import { parseHtmlDocument } from './parse-html-document.ts';

// Site chrome, removed before Readability looks: on short pages it keeps whatever is left.
const BOILERPLATE = [
  'script',
  'style',
  'noscript',
  'template',
  'nav',
  'footer',
  'aside',
  '[role="navigation"]',
  '[role="banner"]',
  '[role="contentinfo"]',
  '[aria-hidden="true"]',
].join(', ');
const HEADINGS = 'h1, h2, h3, h4, h5, h6';
const LEVEL_CLASSES = [1, 2, 3, 4, 5, 6].map((level) => `cairn-level-${level}`);

/**
 * Loads an HTML page: drops navigation, headers, footers, scripts and styles, keeps the main
 * content found by Readability (or the whole body when it finds none) and reads its headings,
 * paragraphs, lists, code and tables as blocks. The title is Readability's, else `<title>`,
 * else the first `h1`, else the file name. Throws `InvalidInputError` when no text is found or
 * the extracted text passes `limits.maxTextBytes`.
 */
export function loadHtml(input: FileLoaderInput): CairnDocument {
  const page = parseHtmlDocument(decodeText(input.bytes, input.path));
  removeBoilerplate(page);
  const pageTitle = collapseWhitespace(page.querySelector('title')?.textContent ?? '');
  const firstH1 = collapseWhitespace(page.querySelector('h1')?.textContent ?? '');
  const body = page.body.cloneNode(true) as HTMLElement;

  const article = readArticle(page, firstH1);
  let blocks = article === undefined ? [] : extractHtmlBlocks(article.content);
  if (blocks.length === 0) blocks = extractHtmlBlocks(body);
  if (blocks.length === 0) throw new InvalidInputError(input.path, 'no text found in the HTML');
  checkTextLength(
    input.path,
    blocks.reduce((total, block) => total + block.text.length, 0),
    resolveLimits(input.limits).maxTextBytes,
  );
  return createDocument({
    id: input.id ?? input.path,
    source: input.path,
    title: article?.title || pageTitle || firstH1 || titleFromFileName(input.path),
    format: 'html',
    blocks,
  });
}

function removeBoilerplate(page: Document): void {
  for (const element of Array.from(page.querySelectorAll(BOILERPLATE))) element.remove();
  // A page banner is chrome, but an <article>'s own <header> holds its title and byline.
  for (const header of Array.from(page.querySelectorAll('header'))) {
    if (header.closest('article, main') === null) header.remove();
  }
}

/** Readability's main content, or undefined when it finds none. Mutates `page`. */
function readArticle(page: Document, firstH1: string): { title: string; content: Element } | undefined {
  // Readability turns every h1 into an h2; a class it is told to keep records the true level.
  for (const heading of Array.from(page.querySelectorAll(HEADINGS))) {
    heading.classList.add(`cairn-level-${heading.tagName.slice(1)}`);
  }
  const article = new Readability(page, { classesToPreserve: LEVEL_CLASSES }).parse();
  if (!article?.content) return undefined;
  const content = parseHtmlDocument(article.content).body;
  if ((content.textContent ?? '').trim() === '') return undefined;
  const title = collapseWhitespace(article.title ?? '');
  // Readability drops the h1 that repeats the title; put it back so headings nest as in markdown.
  const droppedTitleHeading =
    firstH1 !== '' &&
    content.querySelector('.cairn-level-1') === null &&
    title.toLowerCase().includes(firstH1.toLowerCase());
  if (droppedTitleHeading) {
    const heading = content.ownerDocument.createElement('h1');
    heading.textContent = firstH1;
    content.prepend(heading);
  }
  return { title, content };
}
