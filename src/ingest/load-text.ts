import type { Block, CairnDocument } from '../spec/index.ts';
import { createDocument } from './create-document.ts';
import { decodeText } from './decode-text.ts';
import { checkTextLength, resolveLimits } from './extraction-limits.ts';
import { type FileLoaderInput, titleFromFileName } from './file-loader.ts';

const MAX_TITLE_LENGTH = 120;

/**
 * Loads a plain-text file as paragraphs split on blank lines. The title is the first non-empty
 * line when it is shorter than 120 characters, else the file name. Throws `InvalidInputError` for
 * text past `limits.maxTextBytes`.
 */
export function loadText(input: FileLoaderInput): CairnDocument {
  const text = decodeText(input.bytes, input.path);
  checkTextLength(input.path, text.length, resolveLimits(input.limits).maxTextBytes);
  const blocks: Block[] = text
    .split(/\n[ \t]*\n/)
    .map((paragraph) => paragraph.trim())
    .filter((paragraph) => paragraph !== '')
    .map((paragraph) => ({ kind: 'paragraph', text: paragraph, headingsPath: [] }));
  const firstLine = text.trim().split('\n')[0]?.trim() ?? '';
  return createDocument({
    id: input.id ?? input.path,
    source: input.path,
    title: firstLine.length < MAX_TITLE_LENGTH ? firstLine : titleFromFileName(input.path),
    format: 'text',
    blocks,
  });
}
