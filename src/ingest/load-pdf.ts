import { extractText, getDocumentProxy } from 'unpdf';
import type { Block, CairnDocument } from '../spec/index.ts';
import { InvalidInputError } from '../spec/index.ts';
import { createDocument } from './create-document.ts';
import { collapseWhitespace, type FileLoaderInput, idFromPath, titleFromFileName } from './file-loader.ts';

type PdfDocument = Awaited<ReturnType<typeof getDocumentProxy>>;

/**
 * Loads a PDF's text layer page by page: each page gives one or more paragraph blocks (split on
 * blank lines) carrying its 1-based `page`. Metadata holds `pages`. The title is the PDF's own
 * Title field, else the file name. Throws `InvalidInputError` for bytes that are not a PDF, an
 * encrypted PDF, or one with no text layer (scanned).
 */
export async function loadPdf(input: FileLoaderInput): Promise<CairnDocument> {
  const pdf = await openPdf(input);
  try {
    const { totalPages, text: pages } = await extractText(pdf, { mergePages: false }).catch(
      (error: unknown) => {
        throw new InvalidInputError(input.path, `not a valid PDF: ${shortCause(error)}`, { cause: error });
      },
    );
    const blocks = pages.flatMap((pageText, index) => pageBlocks(pageText, index + 1));
    if (blocks.length === 0) {
      throw new InvalidInputError(input.path, 'no extractable text (scanned PDF? run OCR first)');
    }
    return createDocument({
      id: input.id ?? idFromPath(input.path),
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
