import mammoth from 'mammoth';
import type { CairnDocument } from '../spec/index.ts';
import { InvalidInputError } from '../spec/index.ts';
import { createDocument } from './create-document.ts';
import { extractHtmlBlocks } from './extract-html-blocks.ts';
import { checkTextLength, resolveLimits } from './extraction-limits.ts';
import { collapseWhitespace, type FileLoaderInput, titleFromFileName } from './file-loader.ts';
import { parseHtmlDocument } from './parse-html-document.ts';
import { verifyZip } from './verify-zip.ts';

// Mammoth maps Heading 1-6 to h1-h6 already; the Title style would otherwise become a plain <p>.
const STYLE_MAP = ["p[style-name='Title'] => p.cairn-title:fresh"];
// Images carry no text; an empty src spares Mammoth inflating and base64-encoding each one.
const SKIP_IMAGES = mammoth.images.imgElement(async () => ({ src: '' }));

/**
 * Loads a Word document: Mammoth turns it into HTML (Heading 1–6 styles become headings) and
 * the HTML block reader does the rest. The title is the paragraph in Word's Title style, else
 * the first Heading 1, else the file name. Throws `InvalidInputError` for a file that is not a
 * DOCX or holds no text, or one past `limits`: every zip entry is inflated with a cap (and the
 * XML tag count bounded) before Mammoth sees the archive.
 */
export async function loadDocx(input: FileLoaderInput): Promise<CairnDocument> {
  const limits = resolveLimits(input.limits);
  const verified = await verifyZip(input.bytes, input.path, { maxUnpackedBytes: limits.maxUnpackedBytes });
  let html: string;
  try {
    html = (
      await mammoth.convertToHtml(
        { buffer: Buffer.from(verified.buffer, verified.byteOffset, verified.byteLength) },
        { styleMap: STYLE_MAP, convertImage: SKIP_IMAGES },
      )
    ).value;
  } catch (error) {
    throw new InvalidInputError(input.path, 'not a valid DOCX (zip) file', { cause: error });
  }
  const body = parseHtmlDocument(html).body;
  const blocks = extractHtmlBlocks(body);
  if (blocks.length === 0) throw new InvalidInputError(input.path, 'no text found in the document');
  checkTextLength(
    input.path,
    blocks.reduce((total, block) => total + block.text.length, 0),
    limits.maxTextBytes,
  );
  const titleParagraph = collapseWhitespace(body.querySelector('p.cairn-title')?.textContent ?? '');
  const firstHeading = blocks.find((block) => block.kind === 'heading' && block.level === 1)?.text;
  return createDocument({
    id: input.id ?? input.path,
    source: input.path,
    title: titleParagraph || firstHeading || titleFromFileName(input.path),
    format: 'docx',
    blocks,
  });
}
