import type { CairnDocument } from '../spec/index.ts';
import { InvalidInputError } from '../spec/index.ts';
import { createDocument } from './create-document.ts';
import { decodeText } from './decode-text.ts';
import { checkTextLength, resolveLimits } from './extraction-limits.ts';
import { collapseWhitespace, type FileLoaderInput, titleFromFileName } from './file-loader.ts';
import { parseMarkdownBlocks } from './parse-markdown-blocks.ts';
import { readFrontMatter } from './read-front-matter.ts';
import { stripSiteMarkup } from './strip-site-markup.ts';
import { toScalarMetadata } from './to-scalar-metadata.ts';

/**
 * Loads a markdown file. The title comes from the front matter's `title`, else the first `#`
 * heading, else the file name; the other scalar front-matter fields become metadata (lists
 * joined by `,`). Documentation-site markup (containers, components, comments, heading ids) is
 * stripped first (see `stripSiteMarkup`). Throws `InvalidInputError` for undecodable text, bad YAML, no content or text past
 * `limits.maxTextBytes`.
 */
export function loadMarkdown(input: FileLoaderInput): CairnDocument {
  const text = decodeText(input.bytes, input.path);
  checkTextLength(input.path, text.length, resolveLimits(input.limits).maxTextBytes);
  const { fields, body } = readFrontMatter(text, input.path);
  const blocks = parseMarkdownBlocks(stripSiteMarkup(body));
  if (blocks.length === 0) throw new InvalidInputError(input.path, 'no text after the front matter');
  const frontMatterTitle =
    typeof fields.title === 'string' || typeof fields.title === 'number'
      ? collapseWhitespace(String(fields.title))
      : '';
  const firstHeading = blocks.find((block) => block.kind === 'heading' && block.level === 1)?.text;
  return createDocument({
    id: input.id ?? input.path,
    source: input.path,
    title: frontMatterTitle || firstHeading || titleFromFileName(input.path),
    format: 'markdown',
    blocks,
    metadata: toScalarMetadata(fields, { exclude: ['title'] }),
  });
}
