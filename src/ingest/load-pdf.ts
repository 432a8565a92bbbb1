import { getDocumentProxy } from 'unpdf';
import type { Block, CairnDocument } from '../spec/index.ts';
import { InvalidInputError } from '../spec/index.ts';
import { checkPdfStreams } from './check-pdf-streams.ts';
import { createDocument } from './create-document.ts';
import { checkTextLength, resolveLimits } from './extraction-limits.ts';
import { collapseWhitespace, type FileLoaderInput, titleFromFileName } from './file-loader.ts';

type PdfDocument = Awaited<ReturnType<typeof getDocumentProxy>>;

// A shared page subtree lets a tiny file claim millions of pages; real documents stay far below.
const MAX_PDF_PAGES = 20_000;

/**
 * Loads a PDF's text layer page by page: each page gives one or more paragraph blocks (split on
 * blank lines) carrying its 1-based `page`. Metadata holds `pages`. The title is the PDF's own
 * Title field, else the file name. Throws `InvalidInputError` for bytes that are not a PDF, an
 * encrypted PDF, one with no text layer (scanned), or one past `limits`: streams are decoded with
 * a cap before pdf.js parses the file, pages (at most 20,000) are read one at a time until the
 * text limit.
 */
export async function loadPdf(input: FileLoaderInput): Promise<CairnDocument> {
  const limits = resolveLimits(input.limits);
  await checkPdfStreams(input.bytes, input.path, limits.maxUnpackedBytes);
  const pdf = await openPdf(input);
  try {
    const totalPages = pdf.numPages;
    if (totalPages > MAX_PDF_PAGES) {
      throw new InvalidInputError(
        input.path,
        `has ${totalPages} pages, over the ${MAX_PDF_PAGES.toLocaleString('en-US')} page limit; split the PDF`,
      );
    }
    const blocks: Block[] = [];
    let textLength = 0;
    for (let page = 1; page <= totalPages; page++) {
      const pageText = await readPageText(pdf, page, limits.maxTextBytes - textLength).catch(
        (error: unknown) => {
          throw new InvalidInputError(input.path, `not a valid PDF: ${shortCause(error)}`, { cause: error });
        },
      );
      textLength += pageText.length;
      checkTextLength(input.path, textLength, limits.maxTextBytes, `at page ${page}`);
      blocks.push(...pageBlocks(pageText, page));
    }
    if (blocks.length === 0) {
      throw new InvalidInputError(input.path, 'no extractable text (scanned PDF? run OCR first)');
    }
    return createDocument({
      id: input.id ?? input.path,
      source: input.path,
      title: (await pdfTitle(pdf)) || titleFromFileName(input.path),
      format: 'pdf',
      blocks,
      metadata: { pages: totalPages },
    });
  } finally {
    await pdf.destroy();
  }
}

// The page's text as pdf.js joins it (items, a newline after each end of line), read from its
// stream so reading stops once the text passes `budget` instead of building the whole page first.
async function readPageText(pdf: PdfDocument, pageNumber: number, budget: number): Promise<string> {
  const page = await pdf.getPage(pageNumber);
  const reader = page.streamTextContent().getReader();
  const parts: string[] = [];
  let length = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      for (const item of (value as { items: { str?: string; hasEOL?: boolean }[] }).items) {
        if (item.str == null) continue;
        const part = item.hasEOL ? `${item.str}\n` : item.str;
        parts.push(part);
        length += part.length;
      }
      if (length > budget) {
        // pdf.js refuses a cancel without a reason.
        await reader.cancel(new Error('text limit reached'));
        break;
      }
    }
  } finally {
    page.cleanup();
  }
  return parts.join('');
}

async function openPdf(input: FileLoaderInput): Promise<PdfDocument> {
  try {
    // pdf.js may take ownership of the buffer it is given, so it gets a copy; verbosity 0 keeps
    // its repair warnings off the console.
    return await getDocumentProxy(new Uint8Array(input.bytes), { verbosity: 0 });
  } catch (error) {
    const name = error instanceof Error ? error.name : '';
    const reason =
      name === 'PasswordException'
        ? 'encrypted PDF (password required); save an unprotected copy'
        : `not a valid PDF: ${shortCause(error)}`;
    throw new InvalidInputError(input.path, reason, { cause: error });
  }
}

function pageBlocks(pageText: string, page: number): Block[] {
  return pageText
    .split(/\n[ \t]*\n/)
    .map((paragraph) =>
      paragraph
        .split('\n')
        .map((line) => line.trim())
        .filter((line) => line !== '')
        .join('\n'),
    )
    .filter((paragraph) => paragraph !== '')
    .map((paragraph) => ({ kind: 'paragraph', text: paragraph, headingsPath: [], page }));
}

async function pdfTitle(pdf: PdfDocument): Promise<string> {
  const { info } = await pdf.getMetadata().catch(() => ({ info: undefined }));
  const title = (info as { Title?: unknown } | undefined)?.Title;
  return typeof title === 'string' ? collapseWhitespace(title) : '';
}

function shortCause(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const firstLine = message.split('\n')[0]?.trim() ?? '';
  return firstLine.length > 120 ? `${firstLine.slice(0, 117)}...` : firstLine || 'unreadable';
}
