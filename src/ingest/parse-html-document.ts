import { parseHTML } from 'linkedom';

/**
 * Parses HTML into a DOM document. A fragment (no `<html>` element) is wrapped in a page first,
 * since linkedom only builds `document.body` for whole pages.
 */
export function parseHtmlDocument(html: string): Document {
  const page = /<html[\s>]/i.test(html)
    ? html
    : `<!doctype html><html><head></head><body>${html}</body></html>`;
  return parseHTML(page).document;
}
