import mammoth from 'mammoth';
import type { CairnDocument } from '../spec/index.ts';
import { InvalidInputError } from '../spec/index.ts';
import { createDocument } from './create-document.ts';
import { extractHtmlBlocks } from './extract-html-blocks.ts';
import { collapseWhitespace, type FileLoaderInput, idFromPath, titleFromFileName } from './file-loader.ts';
import { parseHtmlDocument } from './parse-html-document.ts';

// Mammoth maps Heading 1-6 to h1-h6 already; the Title style would otherwise become a plain <p>.
const STYLE_MAP = ["p[style-name='Title'] => p.cairn-title:fresh"];

/**
 * Loads a Word document: Mammoth turns it into HTML (Heading 1–6 styles become headings) and
 * the HTML block reader does the rest. The title is the paragraph in Word's Title style, else
 * the first Heading 1, else the file name. Throws `InvalidInputError` for a file that is not a
 * DOCX or holds no text.
 */
export async function loadDocx(input: FileLoaderInput): Promise<CairnDocument> {
  let html: string;
  try {
    html = (await mammoth.convertToHtml({ buffer: Buffer.from(input.bytes) }, { styleMap: STYLE_MAP })).value;
  } catch (error) {
    throw new InvalidInputError(input.path, 'not a valid DOCX (zip) file', { cause: error });
  }
  const body = parseHtmlDocument(html).body;
  const blocks = extractHtmlBlocks(body);
  if (blocks.length === 0) throw new InvalidInputError(input.path, 'no text found in the document');
  const titleParagraph = collapseWhitespace(body.querySelector('p.cairn-title')?.textContent ?? '');
  const firstHeading = blocks.find((block) => block.kind === 'heading' && block.level === 1)?.text;
  return createDocument({
    id: input.id ?? idFromPath(input.path),
    source: input.path,
    title: titleParagraph || firstHeading || titleFromFileName(input.path),
    format: 'docx',
    blocks,
  });
}
